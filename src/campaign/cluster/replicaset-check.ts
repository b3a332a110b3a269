// Safety: a ReplicaSet never runs more pods than it was ever asked for. Its controller creates pods only
// while it counts fewer than spec.replicas, and its expectations make it wait for its own creations to show
// up in its cache before counting again; so the active pods it controls never exceed the largest
// spec.replicas it has had. A controller acting on a cache that lags its own writes over-creates (then
// deletes the surplus, and the cluster converges: ESR cannot see it). Snapshots are a second apart and can
// miss a short-lived larger spec.replicas, so a surplus must show in two snapshots in a row to count.
import type { ReplicaSet } from 'kubernetes-types/apps/v1.js';
import type { ClusterView } from '../../check/convergence/view.ts';
import { controllerRef, isActive } from '../../check/convergence/pods.ts';
import type { Violation } from '../types.ts';

export const OVERCREATION_INVARIANT = 'replicaset never exceeds its replicas';

export class ReplicaSetOvercreationMonitor {
  private readonly maxReplicas = new Map<string, number>();
  /** RS uid → consecutive snapshots with a surplus. */
  private readonly surplus = new Map<string, number>();
  private readonly reported = new Set<string>();
  readonly violations: Violation[] = [];

  observe(view: ClusterView): Violation[] {
    const active = new Map<string, string[]>();
    for (const pod of view.objects.pods) {
      const owner = controllerRef(pod);
      if (owner?.kind !== 'ReplicaSet' || !isActive(pod)) continue;
      active.set(owner.uid, [...(active.get(owner.uid) ?? []), pod.metadata?.name ?? '']);
    }
    const found: Violation[] = [];
    for (const rs of view.objects.replicasets as readonly ReplicaSet[]) {
      const uid = rs.metadata?.uid ?? '';
      const max = Math.max(this.maxReplicas.get(uid) ?? 0, rs.spec?.replicas ?? 1);
      this.maxReplicas.set(uid, max);
      const pods = active.get(uid) ?? [];
      if (pods.length <= max) {
        this.surplus.delete(uid);
        continue;
      }
      const seen = (this.surplus.get(uid) ?? 0) + 1;
      this.surplus.set(uid, seen);
      if (seen < 2 || this.reported.has(uid)) continue;
      this.reported.add(uid);
      found.push({
        checker: 'safety', invariant: OVERCREATION_INVARIANT, at: view.time,
        message: `ReplicaSet ${rs.metadata?.namespace}/${rs.metadata?.name} has ${pods.length} active pods (${pods.sort().join(', ')}) but never asked for more than ${max}.`,
      });
    }
    this.violations.push(...found);
    return found;
  }
}
