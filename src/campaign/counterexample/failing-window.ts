import type { CheckFailure } from '../../check/linearizability/checker.ts';
import { formatMs } from '../../trace/mermaid-sequence.ts';
import type { RunReport, Violation } from '../types.ts';

/** The part of a run a reader should look at first, and why that part. */
export interface FailingWindow {
  from: number;
  to: number;
  reason: string;
}

/** How much of the run before the first violation the sequence diagram shows, by default. */
export const DEFAULT_LEAD_MS = 500;

/**
 * The minimal failing window: the `leadMs` before the first dated violation; else the time span of the
 * linearizability checker's illegal window; else the last `leadMs` of the run (`endAt`).
 */
export function failingWindow(report: RunReport, endAt: number, leadMs = DEFAULT_LEAD_MS): FailingWindow {
  const dated = report.violations.filter((v): v is Violation & { at: number } => v.at !== undefined);
  if (dated.length > 0) {
    const first = dated.reduce((a, b) => (b.at < a.at ? b : a));
    return span(first.at - leadMs, first.at, `the ${leadMs} ms before the first violation (${first.checker}: ${first.invariant} at ${formatMs(first.at)} ms)`);
  }
  const linearizability = linearizabilityFailure(report);
  if (linearizability) {
    const { from, to } = linearizability.windowTime;
    // `from` is -Infinity when the window must start from the empty store.
    const start = Number.isFinite(from) ? from : Math.max(0, to - leadMs);
    return span(start, to, `the linearizability checker's illegal window (${linearizability.window.length} operations)`);
  }
  return span(endAt - leadMs, endAt, `the last ${leadMs} ms of the run (no violation carries a time)`);
}

/** Bounds rounded outwards to whole microseconds, so they read well and still hold their end points. */
function span(from: number, to: number, reason: string): FailingWindow {
  return { from: Math.max(0, Math.floor(from * 1000) / 1000), to: Math.ceil(to * 1000) / 1000, reason };
}

/** The linearizability checker's failure, when one of the violations is one. */
export function linearizabilityFailure(report: RunReport): CheckFailure | undefined {
  for (const violation of report.violations) {
    const detail = violation.detail as Partial<CheckFailure> | undefined;
    if (violation.checker === 'linearizability' && detail?.ok === false && Array.isArray(detail.window)) return detail as CheckFailure;
  }
  return undefined;
}
