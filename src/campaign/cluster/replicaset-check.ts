// Safety: a ReplicaSet never creates a pod it was not asked for. Its controller creates pods only while it
// counts fewer active pods than spec.replicas, and its expectations make it wait for its own creations to
// show up in its cache before counting again. A pod stops being active (terminating, finished) for good,
// so when k pods are active now, the k−1 older ones were already active when the youngest was created: if
// spec.replicas had been below k ever since before that creation, the controller created a pod while it
// already had all it needed — over-creation, acting on a cache that lags its own writes. It then deletes
// the surplus and the cluster converges: ESR cannot see it.
//
// spec.replicas is sampled by the snapshots (a second apart), and creationTimestamp has one-second
// resolution: a creation counts only when it is more than SLACK_MS after the last snapshot that showed
// spec.replicas ≥ k, and the surplus must show in two snapshots in a row. A surplus over the largest
// spec.replicas ever seen (a scale-down the controller has not acted on yet) is never over-creation.
import type { ReplicaSet } from 'kubernetes-types/apps/v1.js';
import type { Pod } from 'kubernetes-types/core/v1.js';
import type { ClusterView } from '../../check/convergence/view.ts';
import { controllerRef, isActive } from '../../check/convergence/pods.ts';
import { parseTimestamp } from '../../kubelet/format.ts';
import type { Violation } from '../types.ts';

export const OVERCREATION_INVARIANT = 'replicaset never exceeds its replicas';
/** creationTimestamp's resolution plus the snapshot period. */
const SLACK_MS = 2_000;

interface History {
  /** For each replica count seen, the last snapshot time that showed spec.replicas ≥ it: index k → time. */
  readonly lastAtLeast: number[];
  /** Consecutive snapshots with an over-created surplus. */
  surplus: number;
  reported: boolean;
}

export class ReplicaSetOvercreationMonitor {
  private readonly history = new Map<string, History>();
  readonly violations: Violation[] = [];

  observe(view: ClusterView): Violation[] {
    const active = new Map<string, Pod[]>();
    for (const pod of view.objects.pods) {
      const owner = controllerRef(pod);
      if (owner?.kind !== 'ReplicaSet' || !isActive(pod)) continue;
      active.set(owner.uid, [...(active.get(owner.uid) ?? []), pod]);
    }
    const found: Violation[] = [];
    for (const rs of view.objects.replicasets as readonly ReplicaSet[]) {
      const uid = rs.metadata?.uid ?? '';
      let h = this.history.get(uid);
      if (!h) this.history.set(uid, (h = { lastAtLeast: [], surplus: 0, reported: false }));
      const replicas = rs.spec?.replicas ?? 1;
      for (let k = 0; k <= replicas; k++) h.lastAtLeast[k] = view.time;
      const pods = active.get(uid) ?? [];
      const k = pods.length;
      const youngest = Math.max(...pods.map((p) => (p.metadata?.creationTimestamp ? parseTimestamp(p.metadata.creationTimestamp) : -Infinity)));
      const askedFor = h.lastAtLeast[k];
      const overcreated = k > replicas && (askedFor === undefined || youngest > askedFor + SLACK_MS);
      h.surplus = overcreated ? h.surplus + 1 : 0;
      if (h.surplus < 2 || h.reported) continue;
      h.reported = true;
      const names = pods.map((p) => p.metadata?.name ?? '').sort().join(', ');
      const since = askedFor === undefined ? 'it never asked for that many' : `it last asked for ${k} or more at ${Math.round(askedFor)}ms`;
      found.push({
        checker: 'safety', invariant: OVERCREATION_INVARIANT, at: view.time,
        message: `ReplicaSet ${rs.metadata?.namespace}/${rs.metadata?.name} has ${k} active pods (${names}) for ${replicas} replicas; the youngest was created at ${Math.round(youngest)}ms, but ${since}.`,
      });
    }
    this.violations.push(...found);
    return found;
  }
}
