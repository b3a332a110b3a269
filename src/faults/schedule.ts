import type { LinkModel } from '../bus/network.ts';

/**
 * Faults are data: a schedule is a list of timed faults, so fast-check can generate and shrink it and a
 * replay command can carry it. Times are virtual milliseconds from the start of the run.
 */
export type Fault =
  /** Process crash; `loseUnsynced` makes it a power loss (un-synced disk writes are gone). */
  | { at: number; kind: 'crash'; target: string; loseUnsynced?: boolean }
  | { at: number; kind: 'restart'; target: string }
  /** Cuts `from` ↔ `to` (entries are addresses or hosts); one-way cuts only from → to. */
  | { at: number; kind: 'partition'; id: string; from: string[]; to: string[]; oneWay?: boolean }
  | { at: number; kind: 'heal'; id?: string }
  /** Degrades the links from → to (`*` = any) for `durationMs`: drop/dup/delay bursts, reordering. */
  | { at: number; kind: 'degrade'; id: string; from: string; to: string; link: Partial<LinkModel>; durationMs: number }
  /**
   * Armed at `at`: the first observation of type `on` (e.g. `obs.raft.voteGranted`) made within `windowMs`
   * (default: until the run ends) fires `faults`, whose `at` are offsets from that observation. In them the
   * target `@observed` names the component that made the observation. This is how a fault hits a window
   * that only exists for a few milliseconds (power loss right after a vote, a crash right after an election).
   */
  | { at: number; kind: 'trigger'; id: string; on: string; windowMs?: number; faults: Fault[] }
  /**
   * Replaces a member of a replicated group: removed through the group's membership API, its process and
   * disk gone for good, a fresh member (`replacement`, an empty disk) added in its place. How is up to the
   * run (see `applySchedule`'s handlers); later faults naming `target` then hit the replacement.
   */
  | { at: number; kind: 'replace'; target: string; replacement: string };

export type FaultSchedule = Fault[];

export type FaultKind = Fault['kind'];

/** Orders a schedule by time (stable), as it will be applied. */
export function sortSchedule(schedule: FaultSchedule): FaultSchedule {
  return schedule
    .map((fault, index) => ({ fault, index }))
    .sort((a, b) => a.fault.at - b.fault.at || a.index - b.index)
    .map(({ fault }) => fault);
}

/**
 * Time of the last fault's end (a degradation ends after its duration). A trigger's faults are counted
 * as if it fired at the end of its window (at its arming time when it has none): an upper bound only
 * when a window is given.
 */
export function scheduleEnd(schedule: FaultSchedule): number {
  let end = 0;
  for (const fault of schedule) {
    switch (fault.kind) {
      case 'degrade':
        end = Math.max(end, fault.at + fault.durationMs);
        break;
      case 'trigger':
        end = Math.max(end, fault.at + (fault.windowMs ?? 0) + scheduleEnd(fault.faults));
        break;
      default:
        end = Math.max(end, fault.at);
    }
  }
  return end;
}

/** Compact, URL-safe encoding of a schedule for one-line replay commands. */
export function encodeSchedule(schedule: FaultSchedule): string {
  return Buffer.from(JSON.stringify(schedule), 'utf8').toString('base64url');
}

export function decodeSchedule(encoded: string): FaultSchedule {
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(encoded, 'base64url').toString('utf8'));
  } catch {
    throw new Error('fault schedule is not valid base64url-encoded JSON');
  }
  return validateSchedule(parsed);
}

const KINDS: readonly FaultKind[] = ['crash', 'restart', 'partition', 'heal', 'degrade', 'trigger', 'replace'];

/** Checks a schedule read from a file or a flag, with a message naming the first bad entry. */
export function validateSchedule(value: unknown, path = 'fault'): FaultSchedule {
  if (!Array.isArray(value)) throw new Error(path === 'fault' ? 'fault schedule must be a list of faults' : `${path}: must be a list of faults`);
  value.forEach((fault: unknown, index) => {
    const where = `${path}[${index}]`;
    if (typeof fault !== 'object' || fault === null) throw new Error(`${where}: must be an object`);
    const f = fault as Record<string, unknown>;
    if (typeof f.at !== 'number' || !Number.isFinite(f.at) || f.at < 0) {
      throw new Error(`${where}.at: must be a non-negative number of milliseconds`);
    }
    if (!KINDS.includes(f.kind as FaultKind)) {
      throw new Error(`${where}.kind: must be one of ${KINDS.join(', ')}`);
    }
    const need = (field: string, type: 'string' | 'number' | 'array' | 'object') => {
      const v = f[field];
      const ok = type === 'array' ? Array.isArray(v) : typeof v === type && v !== null;
      if (!ok) throw new Error(`${where}.${field}: required (${type})`);
    };
    switch (f.kind) {
      case 'crash':
      case 'restart':
        need('target', 'string');
        break;
      case 'partition':
        need('id', 'string');
        need('from', 'array');
        need('to', 'array');
        break;
      case 'degrade':
        need('id', 'string');
        need('from', 'string');
        need('to', 'string');
        need('link', 'object');
        need('durationMs', 'number');
        break;
      case 'trigger':
        need('id', 'string');
        need('on', 'string');
        need('faults', 'array');
        if (f.windowMs !== undefined) need('windowMs', 'number');
        validateSchedule(f.faults, `${where}.faults`);
        break;
      case 'replace':
        need('target', 'string');
        need('replacement', 'string');
        break;
    }
  });
  return value as FaultSchedule;
}
