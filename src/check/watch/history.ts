// Indexed ground truth, and what a given watch request should see of it.
// Key matching is implemented independently of etcd/mvcc's keyspan so the two cross-check.
import type { CheckedEvent, CheckedWatchRequest, CommittedRevision } from './types.ts';

export function selectsKey(req: CheckedWatchRequest, key: string): boolean {
  if (req.prefix) return key.startsWith(req.key);
  if (req.rangeEnd === undefined || req.rangeEnd === '') return key === req.key;
  if (req.rangeEnd === '\0') return key >= req.key;
  return key >= req.key && key < req.rangeEnd;
}

export function wantsEvent(req: CheckedWatchRequest, e: CheckedEvent): boolean {
  if (!selectsKey(req, e.kv.key)) return false;
  const filters = req.filters ?? [];
  if (e.type === 'PUT' && filters.includes('NOPUT')) return false;
  if (e.type === 'DELETE' && filters.includes('NODELETE')) return false;
  return true;
}

export interface TruthEvent {
  event: CheckedEvent;
  /** Position inside its revision (the sub-revision order). */
  pos: number;
}

export class CommittedHistory {
  private readonly byRev = new Map<number, Map<string, TruthEvent>>();
  private readonly revisions: readonly CommittedRevision[];

  constructor(history: readonly CommittedRevision[]) {
    this.revisions = history;
    for (const c of history) {
      const byKey = new Map<string, TruthEvent>();
      c.events.forEach((event, pos) => byKey.set(event.kv.key, { event, pos }));
      this.byRev.set(c.revision, byKey);
    }
  }

  lookup(revision: number, key: string): TruthEvent | undefined {
    return this.byRev.get(revision)?.get(key);
  }

  /** For one request: the keys it should see per revision, and those revisions ascending. */
  expectedFor(req: CheckedWatchRequest): Expected {
    const keysByRev = new Map<number, string[]>();
    for (const c of this.revisions) {
      const keys = c.events.filter((e) => wantsEvent(req, e)).map((e) => e.kv.key);
      if (keys.length > 0) keysByRev.set(c.revision, keys);
    }
    return new Expected(keysByRev);
  }
}

export class Expected {
  readonly revisions: number[];

  constructor(readonly keysByRev: Map<number, string[]>) {
    this.revisions = [...keysByRev.keys()].sort((a, b) => a - b);
  }

  /** Matching revisions in [from, to]. */
  between(from: number, to: number): number[] {
    return this.revisions.filter((r) => r >= from && r <= to);
  }

  /** The first matching revision >= from. */
  firstFrom(from: number): number | undefined {
    return this.revisions.find((r) => r >= from);
  }
}
