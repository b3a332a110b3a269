// Once faults and workload changes have stopped: wait for the cluster to converge and stay converged.
import { checkConvergence, checkStable, type ClusterView, type Violation as ClusterViolation } from '../../check/convergence/index.ts';

/**
 * How long after the last fault the cluster has to converge. The slowest legitimate path: a node lost for
 * good is marked Unknown after the 50 s node-monitor grace period (checked every 5 s) and tainted; its pods
 * tolerate that for 300 s (admission's default), then the taint manager evicts them and their controllers
 * replace them (scheduling and starting take seconds; a request lost to a crashed apiserver times out after
 * 30 s). 50 + 5 + 300 + 30 s is 385 s; 450 s leaves room for back-offs (the scheduler's 10 s, informer
 * relists) without letting a controller that never converges pass.
 */
export const ESR_BOUND_MS = 450_000;
/** Snapshots during faults (safety invariants). */
export const SAFETY_PERIOD_MS = 1_000;
/** Snapshots while waiting for convergence. */
export const CONVERGENCE_PERIOD_MS = 5_000;
/** Once converged, the cluster must stay so (same pods, every snapshot converged) for this long. */
export const STABLE_WINDOW_MS = 45_000;

export interface Settled {
  /** When the stable window began; undefined when none held. */
  convergedAt?: number;
  relapses: number;
  /** Why the last attempt failed (empty once settled). */
  problems: ClusterViolation[];
  lastTime?: number;
}

/** Snapshots every CONVERGENCE_PERIOD_MS from `quiet` until a window converges and stays so, or the bound passes. */
export function awaitStable(quiet: number, look: (live: readonly string[]) => ClusterView | undefined, live: readonly string[], sim: { runUntil(t: number): void }): Settled {
  let window: ClusterView[] = [];
  let relapses = 0;
  let problems: ClusterViolation[] = [];
  let lastTime: number | undefined;
  for (let t = quiet; t <= quiet + ESR_BOUND_MS + STABLE_WINDOW_MS; t += CONVERGENCE_PERIOD_MS) {
    sim.runUntil(t);
    const view = look(live);
    if (!view) continue;
    lastTime = view.time;
    const now = checkConvergence(view);
    if (now.length > 0) {
      if (window.length > 0) relapses++;
      window = [];
      problems = now;
      continue;
    }
    if (window.length === 0 && t > quiet + ESR_BOUND_MS) break;
    window.push(view);
    if (view.time - window[0].time < STABLE_WINDOW_MS) continue;
    const stable = checkStable(window);
    if (stable.ok) return { convergedAt: window[0].time, relapses, problems: [], lastTime };
    // Converged every time, but its pods churned: start again from here.
    relapses++;
    problems = [...stable.violations];
    window = [view];
  }
  return { relapses, problems, ...(lastTime !== undefined ? { lastTime } : {}) };
}
