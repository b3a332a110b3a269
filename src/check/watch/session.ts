// A watch session flattened into what the guarantee checks need.
import type { CommittedHistory, Expected, TruthEvent } from './history.ts';
import type { CheckedEvent, CheckedWatchRequest, CheckedWatchResponse, WatchSession } from './types.ts';

export interface Delivered {
  event: CheckedEvent;
  /** Index of the response that carried it. */
  response: number;
  rev: number;
  key: string;
  /** Same (revision, key) already delivered earlier in this session. */
  duplicate: boolean;
  /** The committed event it claims to be, if any. */
  truth?: TruthEvent;
}

export interface SessionView {
  index: number;
  request: CheckedWatchRequest;
  responses: readonly CheckedWatchResponse[];
  /** First revision the session should deliver; undefined if unknowable (start 0, no created response). */
  start?: number;
  /** Canceled because its start revision was compacted. */
  compacted: boolean;
  canceled: boolean;
  delivered: Delivered[];
  expected: Expected;
}

/** etcd's IsProgressNotify, or an explicit flag. */
export function isProgressNotify(r: CheckedWatchResponse): boolean {
  if (r.progressNotify) return true;
  return r.events.length === 0 && !r.created && !r.canceled && !r.compactRevision;
}

export function buildSession(index: number, s: WatchSession, truth: CommittedHistory): SessionView {
  const requested = s.request.startRevision ?? 0;
  const created = s.responses.find((r) => r.created && !r.canceled);
  const start = requested > 0 ? requested : created ? created.header.revision + 1 : undefined;
  const seen = new Set<string>();
  const delivered: Delivered[] = [];
  s.responses.forEach((r, response) => {
    for (const event of r.events) {
      const rev = event.kv.modRevision;
      const key = event.kv.key;
      const id = `${rev}\u0000${key}`;
      delivered.push({ event, response, rev, key, duplicate: seen.has(id), truth: truth.lookup(rev, key) });
      seen.add(id);
    }
  });
  return {
    index,
    request: s.request,
    responses: s.responses,
    start,
    compacted: s.responses.some((r) => r.canceled && (r.compactRevision ?? 0) > 0),
    canceled: s.responses.some((r) => r.canceled),
    delivered,
    expected: truth.expectedFor(s.request),
  };
}
