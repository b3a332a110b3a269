// Watches a Deployment's pods through the API (its own informer on an unimpaired link) and checks, at
// every change the apiserver streams — that is, at every committed state of the pods, in order — how many
// are active (not terminating) and how many of those are available (Ready). Records the extremes and the
// first moment a bound is crossed.
import type { Pod } from 'kubernetes-types/core/v1.js';
import { ClientInformer, type Cluster } from '../../src/cluster/index.ts';
import { PODS, controllerOf, type KubeObject } from '../../src/client/index.ts';

export interface Census {
  at: number;
  active: number;
  available: number;
}

export class RolloutObserver {
  readonly informer: ClientInformer<Pod & KubeObject>;
  maxActive = 0;
  minAvailable = Number.POSITIVE_INFINITY;
  /** First census over `maxPods` / under `minAvailable` since the bounds were set. */
  surgeViolation: Census | undefined;
  availabilityViolation: Census | undefined;
  bounds: { maxPods?: number; minAvailable?: number } = {};

  constructor(private readonly cluster: Cluster, app: string, address = `user/observer-${app}`) {
    this.informer = new ClientInformer<Pod & KubeObject>(
      cluster.sim, address, { name: 'pods', resource: PODS, namespace: 'default', labelSelector: `app=${app}` },
      () => cluster.apiservers[0], () => this.check(),
    ).start();
  }

  census(): Census {
    const active = this.informer.items().filter((p) => !p.metadata?.deletionTimestamp && controllerOf(p)?.kind === 'ReplicaSet');
    const available = active.filter((p) => p.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True'));
    return { at: this.cluster.now, active: active.length, available: available.length };
  }

  /** From now on, check every change against these bounds (and reset the extremes). */
  setBounds(bounds: { maxPods?: number; minAvailable?: number }): void {
    this.bounds = bounds;
    this.maxActive = 0;
    this.minAvailable = Number.POSITIVE_INFINITY;
    this.check();
  }

  private check(): void {
    if (!this.informer) return;
    const c = this.census();
    this.maxActive = Math.max(this.maxActive, c.active);
    this.minAvailable = Math.min(this.minAvailable, c.available);
    if (this.bounds.maxPods !== undefined && c.active > this.bounds.maxPods) this.surgeViolation ??= c;
    if (this.bounds.minAvailable !== undefined && c.available < this.bounds.minAvailable) this.availabilityViolation ??= c;
  }

  stop(): void {
    this.informer.stop();
  }
}
