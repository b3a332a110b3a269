// Safety invariants of the whole cluster, checked on every step of a run: allocatable never exceeded, no
// pod bound twice, at most one leader acting per lease term, rollouts keep their availability floor.
// See docs/verification.md, "Cluster convergence".
export { checkSafety, SafetyMonitor, type SafetyOptions } from './check.ts';
export { checkNodeAllocatable } from './allocatable.ts';
export { checkRebinding, trackBindings, type Bindings } from './binding.ts';
export { checkLeaderActs, isLeaderActObservation, LeaderActChecker, type LeaderActObservation } from './leader.ts';
export { availablePods, checkRolloutAvailability, maxUnavailableOf } from './rollout.ts';
