// One function per watch guarantee, each judging a single session against the committed history.
// Definitions follow https://etcd.io/docs/v3.5/learning/api_guarantees/#watch-apis; the checks are
// split so that each kind of fault is blamed on exactly one guarantee.
import { wantsEvent } from './history.ts';
import { isProgressNotify } from './session.ts';
import type { SessionView } from './session.ts';
import type { CheckedKv, WatchGuarantee, WatchViolation } from './types.ts';

export type Report = (guarantee: WatchGuarantee, message: string, detail: Omit<WatchViolation['detail'], 'session'>) => void;

const KV_FIELDS = ['key', 'modRevision', 'value', 'createRevision', 'version', 'lease'] as const;

/** The first field both sides define and disagree on. */
function kvMismatch(actual: CheckedKv, expected: CheckedKv): string | undefined {
  for (const f of KV_FIELDS) {
    if (actual[f] !== undefined && expected[f] !== undefined && actual[f] !== expected[f]) return f;
  }
  return undefined;
}

/** Every delivered event was committed as reported, is in the watched range, and respects filters/prevKv. */
export function checkValid(v: SessionView, report: Report): void {
  for (const d of v.delivered) {
    const at = { response: d.response, revision: d.rev, key: d.key };
    if (!d.truth) {
      report('Valid', `event ${d.key}@${d.rev} was never committed`, { ...at, actual: d.event });
      continue;
    }
    const t = d.truth.event;
    const field = d.event.type !== t.type ? 'type' : kvMismatch(d.event.kv, t.kv);
    if (field) report('Valid', `event ${d.key}@${d.rev} differs from the commit in ${field}`, { ...at, expected: t, actual: d.event });
    if (!wantsEvent(v.request, t)) report('Valid', `event ${d.key}@${d.rev} is outside the watched range or filtered`, at);
    if (d.event.prevKv) {
      if (!v.request.prevKv) report('Valid', `prevKv delivered for ${d.key}@${d.rev} but not requested`, at);
      else if (t.type === 'PUT' && t.kv.version === 1) report('Valid', `prevKv delivered for a create of ${d.key}@${d.rev}`, at);
      else if (t.prevKv && kvMismatch(d.event.prevKv, t.prevKv)) {
        report('Valid', `prevKv of ${d.key}@${d.rev} is wrong`, { ...at, expected: t.prevKv, actual: d.event.prevKv });
      }
    }
  }
  v.responses.forEach((r, response) => {
    const top = Math.max(0, ...r.events.map((e) => e.kv.modRevision));
    if (top > r.header.revision) {
      report('Valid', `response header revision ${r.header.revision} is below its event revision ${top}`, { response, revision: top });
    }
  });
}

/** An event never appears on a watch twice. */
export function checkUnique(v: SessionView, report: Report): void {
  for (const d of v.delivered) {
    if (d.duplicate) report('Unique', `event ${d.key}@${d.rev} delivered twice`, { response: d.response, revision: d.rev, key: d.key });
  }
}

/** Events arrive by revision, and within a revision in commit (sub-revision) order. */
export function checkOrdered(v: SessionView, report: Report): void {
  let last: { rev: number; pos: number } | undefined;
  for (const d of v.delivered) {
    if (d.duplicate) continue; // Unique's business
    const pos = d.truth?.pos ?? -1;
    if (last && (d.rev < last.rev || (d.rev === last.rev && pos >= 0 && pos <= last.pos))) {
      report('Ordered', `event ${d.key}@${d.rev} arrived after an event at revision ${last.rev} it precedes`, {
        response: d.response,
        revision: d.rev,
        key: d.key,
      });
    }
    last = { rev: d.rev, pos };
  }
}

/** A revision's events all arrive, and in one response. */
export function checkAtomic(v: SessionView, report: Report): void {
  const byRev = new Map<number, { responses: Set<number>; keys: Set<string> }>();
  for (const d of v.delivered) {
    const g = byRev.get(d.rev) ?? { responses: new Set<number>(), keys: new Set<string>() };
    g.responses.add(d.response);
    g.keys.add(d.key);
    byRev.set(d.rev, g);
  }
  for (const [rev, g] of byRev) {
    if (g.responses.size > 1) {
      report('Atomic', `revision ${rev} split across responses ${[...g.responses].join(', ')}`, { revision: rev });
    }
    const missing = (v.expected.keysByRev.get(rev) ?? []).filter((k) => !g.keys.has(k));
    if (missing.length > 0) {
      report('Atomic', `revision ${rev} delivered without ${missing.join(', ')}`, { revision: rev, expected: missing });
    }
  }
}

/**
 * No matching revision is dropped between the first and last delivered ones; when the trace is
 * drained and the session still open, none is dropped up to the drained revision either.
 */
export function checkReliable(v: SessionView, report: Report, drainedThrough: number | undefined): void {
  const delivered = new Set(v.delivered.map((d) => d.rev));
  const revs = [...delivered];
  let lo = revs.length > 0 ? Math.min(...revs) : v.start;
  let hi = revs.length > 0 ? Math.max(...revs) : undefined;
  if (drainedThrough !== undefined && !v.canceled) hi = Math.max(hi ?? 0, drainedThrough);
  if (lo === undefined || hi === undefined) return;
  const missing = v.expected.between(lo, hi).filter((r) => !delivered.has(r));
  if (missing.length > 0) {
    report('Reliable', `matching revisions never delivered: ${missing.join(', ')}`, { revisions: missing });
  }
}

/** A watch started at revision S delivers exactly the matching events from S on: nothing earlier, nothing skipped. */
export function checkResumable(v: SessionView, report: Report): void {
  const first = v.delivered[0];
  if (v.start === undefined || !first) return;
  if (first.rev < v.start) {
    report('Resumable', `watch from revision ${v.start} delivered revision ${first.rev}`, { response: first.response, revision: first.rev });
    return;
  }
  const expectedFirst = v.expected.firstFrom(v.start);
  if (expectedFirst !== undefined && first.rev > expectedFirst) {
    report('Resumable', `watch from revision ${v.start} began at ${first.rev}, skipping ${expectedFirst}`, {
      response: first.response,
      revision: first.rev,
      expected: expectedFirst,
    });
  }
}

/** A progress notification at R means every matching event <= R was delivered before it, and none comes after. */
export function checkBookmarkable(v: SessionView, report: Report): void {
  let bookmark = 0;
  let firstRev: number | undefined;
  const delivered = new Set<number>();
  v.responses.forEach((r, response) => {
    for (const e of r.events) {
      const rev = e.kv.modRevision;
      if (rev <= bookmark) {
        report('Bookmarkable', `event ${e.kv.key}@${rev} arrived after a progress notification at ${bookmark}`, {
          response,
          revision: rev,
          key: e.kv.key,
        });
      }
      delivered.add(rev);
      firstRev ??= rev;
    }
    if (!isProgressNotify(r)) return;
    const lo = v.start ?? firstRev;
    if (lo !== undefined) {
      const missing = v.expected.between(lo, r.header.revision).filter((x) => !delivered.has(x));
      if (missing.length > 0) {
        report('Bookmarkable', `progress notification at ${r.header.revision} before revisions ${missing.join(', ')}`, {
          response,
          revision: r.header.revision,
          revisions: missing,
        });
      }
    }
    bookmark = Math.max(bookmark, r.header.revision);
  });
}
