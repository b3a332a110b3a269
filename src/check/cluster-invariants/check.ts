// The cluster's safety invariants, for every step of a run: on one snapshot (allocatable), on two
// consecutive ones (no pod rebound; rollout availability when nothing disrupts the cluster), and on the
// leader acts observed so far. `SafetyMonitor` carries the state between steps for a campaign.
import type { ClusterView } from '../convergence/view.ts';
import type { Violation } from '../convergence/violation.ts';
import { checkNodeAllocatable } from './allocatable.ts';
import { checkRebinding, trackBindings, type Bindings } from './binding.ts';
import { checkLeaderActs, LeaderActChecker, type LeaderActObservation } from './leader.ts';
import { checkRolloutAvailability } from './rollout.ts';

export interface SafetyOptions {
  /**
   * Nothing but the control plane acts on the cluster between the two snapshots: no faults, no user pod
   * deletions or scale changes, no node drains. Only then must a rollout keep its availability floor.
   */
  readonly disruptionFree?: boolean;
  /** Leader acts to check along (see LeaderActObservation). */
  readonly leaderActs?: readonly LeaderActObservation[];
}

function isView(x: unknown): x is ClusterView {
  return typeof x === 'object' && x !== null && 'objects' in x && 'liveNodes' in x;
}

/** Invariants that hold in every snapshot. */
export function checkSafety(view: ClusterView, opts?: SafetyOptions): Violation[];
/** Invariants over one step, `prev` → `next` (including the single-snapshot ones on `next`). */
export function checkSafety(prev: ClusterView, next: ClusterView, opts?: SafetyOptions): Violation[];
export function checkSafety(a: ClusterView, b?: ClusterView | SafetyOptions, c?: SafetyOptions): Violation[] {
  const [prev, next, opts] = isView(b) ? [a, b, c ?? {}] : [undefined, a, b ?? {}];
  const out = [...checkNodeAllocatable(next)];
  if (prev) {
    out.push(...checkRebinding(prev, next));
    if (opts.disruptionFree) out.push(...checkRolloutAvailability(prev, next));
  }
  if (opts.leaderActs) out.push(...checkLeaderActs(opts.leaderActs));
  return out;
}

/** Checks every step of a run as snapshots arrive; remembers every binding ever seen, not just the last. */
export class SafetyMonitor {
  private prev?: ClusterView;
  private readonly bindings: Bindings = new Map();
  private readonly leaders = new LeaderActChecker();
  readonly violations: Violation[] = [];

  /** The next snapshot; returns what it newly violates. */
  observe(view: ClusterView, opts: { disruptionFree?: boolean } = {}): Violation[] {
    const found = [...checkNodeAllocatable(view), ...trackBindings(this.bindings, view)];
    if (this.prev && opts.disruptionFree) found.push(...checkRolloutAvailability(this.prev, view));
    this.prev = view;
    this.violations.push(...found);
    return found;
  }

  /** A leader act, as it happens (acts must arrive in time order). */
  leaderAct(act: LeaderActObservation): Violation[] {
    const found = this.leaders.add(act);
    this.violations.push(...found);
    return found;
  }
}
