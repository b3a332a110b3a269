// Entry point: judges every watcher's sessions, plus resume continuity between sessions.
import { CommittedHistory } from './history.ts';
import {
  checkAtomic,
  checkBookmarkable,
  checkOrdered,
  checkReliable,
  checkResumable,
  checkUnique,
  checkValid,
} from './guarantees.ts';
import type { Report } from './guarantees.ts';
import { buildSession } from './session.ts';
import type { SessionView } from './session.ts';
import type { WatchCheckInput, WatchViolation, WatcherTrace } from './types.ts';

export function checkWatch(input: WatchCheckInput): WatchViolation[] {
  const truth = new CommittedHistory(input.history);
  const out: WatchViolation[] = [];
  for (const w of input.watchers) checkWatcher(w, truth, input.drainedThrough, out);
  return out;
}

function checkWatcher(w: WatcherTrace, truth: CommittedHistory, drainedThrough: number | undefined, out: WatchViolation[]): void {
  // Revision the next session must not repeat; undefined after a compaction cancel (client relists).
  let lastDelivered: number | undefined;
  w.sessions.forEach((s, index) => {
    const report: Report = (guarantee, message, detail) =>
      out.push({ guarantee, watcher: w.watcher, message, detail: { session: index, ...detail } });
    const v = buildSession(index, s, truth);
    const isLast = index === w.sessions.length - 1;
    if (index > 0 && lastDelivered !== undefined) checkContinuity(v, lastDelivered, report);
    checkValid(v, report);
    checkUnique(v, report);
    checkOrdered(v, report);
    checkAtomic(v, report);
    checkReliable(v, report, isLast ? drainedThrough : undefined);
    checkResumable(v, report);
    checkBookmarkable(v, report);

    const revs = v.delivered.map((d) => d.rev);
    if (revs.length > 0) lastDelivered = Math.max(lastDelivered ?? 0, ...revs);
    else if (lastDelivered === undefined && v.start !== undefined) lastDelivered = v.start - 1;
    if (v.compacted) lastDelivered = undefined;
  });
}

/**
 * Resumable across a reconnect: the new session must start after the last delivered revision L
 * (else it repeats events) and no later than the first matching revision after L (else it loses
 * them). Resuming from a progress notification's revision + 1 is within that window.
 */
function checkContinuity(v: SessionView, lastDelivered: number, report: Report): void {
  if (v.start === undefined) return;
  if (v.start <= lastDelivered) {
    report('Resumable', `resumed from revision ${v.start} although ${lastDelivered} was already delivered`, {
      revision: v.start,
      expected: lastDelivered + 1,
    });
    return;
  }
  const next = v.expected.firstFrom(lastDelivered + 1);
  if (next !== undefined && v.start > next) {
    report('Resumable', `resumed from revision ${v.start}, losing matching revision ${next}`, { revision: v.start, expected: next });
  }
}
