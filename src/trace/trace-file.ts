import type { TraceLine } from './recorder.ts';

const KINDS: ReadonlySet<string> = new Set(['send', 'deliver', 'drop', 'start', 'crash', 'failure', 'observe', 'fault']);

/** A JSONL trace line that is not one the recorder writes; names the line so a reader can find it. */
export class TraceFormatError extends Error {
  constructor(readonly line: number, reason: string) {
    super(`trace line ${line}: ${reason}`);
    this.name = 'TraceFormatError';
  }
}

/** Parses a JSONL trace as written by `TraceRecorder`; blank lines are skipped. */
export function parseTrace(text: string): TraceLine[] {
  const lines: TraceLine[] = [];
  text.split('\n').forEach((raw, index) => {
    if (raw.trim() === '') return;
    let value: unknown;
    try {
      value = JSON.parse(raw);
    } catch {
      throw new TraceFormatError(index + 1, 'not JSON');
    }
    const line = value as Partial<TraceLine>;
    if (typeof line !== 'object' || line === null) throw new TraceFormatError(index + 1, 'not an object');
    if (typeof line.t !== 'number' || !Number.isFinite(line.t)) throw new TraceFormatError(index + 1, '"t" must be a number');
    if (typeof line.k !== 'string' || !KINDS.has(line.k)) throw new TraceFormatError(index + 1, `unknown kind ${JSON.stringify(line.k)}`);
    const bus = line.k === 'send' || line.k === 'deliver' || line.k === 'drop';
    if (bus && (typeof line.id !== 'number' || typeof line.from !== 'string' || typeof line.to !== 'string' || typeof line.type !== 'string')) {
      throw new TraceFormatError(index + 1, `a ${line.k} line needs id, from, to and type`);
    }
    lines.push(line as TraceLine);
  });
  return lines;
}
