// Eventually-stable reconciliation (ESR, as Anvil defines it): once the desired state stops changing and
// faults stop, the cluster reaches a state that matches it and stays there. `checkConvergence` judges one
// snapshot; `checkStable` judges a window of snapshots taken after the faults stopped.
import { checkDaemonSet } from './daemonset.ts';
import { checkJob } from './job.ts';
import { checkNodes } from './nodes.ts';
import { isActive, controllerRef } from './pods.ts';
import { checkKubeProxyRules, checkService } from './services.ts';
import type { ClusterView } from './view.ts';
import { violation, type Violation } from './violation.ts';
import { checkDeployment, checkReplicaSet } from './workloads.ts';

/** Every way the snapshot differs from the converged state; empty when it has converged. */
export function checkConvergence(view: ClusterView): Violation[] {
  return [
    ...view.objects.deployments.flatMap((d) => checkDeployment(d, view)),
    ...view.objects.replicasets.flatMap((rs) => checkReplicaSet(rs, view)),
    ...view.objects.daemonsets.flatMap((ds) => checkDaemonSet(ds, view)),
    ...view.objects.jobs.flatMap((j) => checkJob(j, view)),
    ...view.objects.services.flatMap((s) => checkService(s, view)),
    ...checkKubeProxyRules(view),
    ...checkNodes(view),
  ];
}

export interface StabilityResult {
  /** The window reached the converged state and stayed in it to the end. */
  readonly ok: boolean;
  /** Time of the first snapshot from which every later one has converged. */
  readonly convergedAt?: number;
  readonly violations: readonly Violation[];
}

/** uid → name of the pods ReplicaSets and DaemonSets keep running: these must not churn once converged. */
function steadyPods(view: ClusterView): Map<string, string> {
  const out = new Map<string, string>();
  for (const pod of view.objects.pods) {
    const kind = controllerRef(pod)?.kind;
    if (isActive(pod) && (kind === 'ReplicaSet' || kind === 'DaemonSet')) out.set(pod.metadata?.uid ?? '', `pod ${pod.metadata?.namespace}/${pod.metadata?.name}`);
  }
  return out;
}

/**
 * The window (snapshots in time order, taken with no faults and no changes to the desired state) must
 * converge and then stay converged: every snapshot after the first converged one converges too, and the
 * pods ReplicaSets and DaemonSets run are the same ones throughout (a controller that keeps replacing
 * healthy pods is not stable even if each snapshot looks right).
 */
export function checkStable(views: readonly ClusterView[]): StabilityResult {
  if (views.length === 0) return { ok: false, violations: [violation('stability', 'The cluster', 'was not observed (no snapshots in the window).', 0)] };
  const results = views.map((v) => checkConvergence(v));
  const first = results.findIndex((r) => r.length === 0);
  if (first < 0) {
    const last = views[views.length - 1];
    const detail = violation('stability', 'The cluster', `did not converge by ${last.time}ms; ${results[results.length - 1].length} problems remain.`, last.time);
    return { ok: false, violations: [detail, ...results[results.length - 1]] };
  }
  const out: Violation[] = [];
  const convergedAt = views[first].time;
  for (let i = first + 1; i < views.length; i++) {
    if (results[i].length > 0) {
      out.push(violation('stability', 'The cluster', `converged at ${convergedAt}ms but left that state at ${views[i].time}ms.`, views[i].time), ...results[i]);
      break;
    }
  }
  const baseline = steadyPods(views[first]);
  for (let i = first + 1; i < views.length && out.length === 0; i++) {
    const now = steadyPods(views[i]);
    const gone = [...baseline].filter(([uid]) => !now.has(uid)).map(([, name]) => name);
    const added = [...now].filter(([uid]) => !baseline.has(uid)).map(([, name]) => name);
    if (gone.length + added.length > 0) {
      const what = [gone.length ? `${gone.join(', ')} went away` : '', added.length ? `${added.join(', ')} appeared` : ''].filter(Boolean).join('; ');
      out.push(violation('stability', 'The cluster', `converged at ${convergedAt}ms but its pods churned by ${views[i].time}ms: ${what}.`, views[i].time));
    }
  }
  return { ok: out.length === 0, convergedAt, violations: out };
}
