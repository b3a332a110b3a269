// The shared informers of the controller-manager (one per resource, as the SharedInformerFactory gives
// every controller the same cache): deployments, replicasets (indexed by controller uid) and pods
// (indexed by controller uid, orphans under one key).
import type { Deployment, ReplicaSet } from 'kubernetes-types/apps/v1.js';
import type { Pod } from 'kubernetes-types/core/v1.js';
import {
  CONTROLLER_UID_INDEX, DEPLOYMENTS, PODS, REPLICASETS, byControllerUid, type InformerSpec, type InformerState,
} from '../../src/client/index.ts';

export const deploymentInformer: InformerSpec<Deployment> = Object.freeze({ name: 'deployments', resource: DEPLOYMENTS });

export const replicaSetInformer: InformerSpec<ReplicaSet> = Object.freeze({
  name: 'replicasets', resource: REPLICASETS, indexers: { [CONTROLLER_UID_INDEX]: byControllerUid },
});

export const podInformer: InformerSpec<Pod> = Object.freeze({
  name: 'pods', resource: PODS, indexers: { [CONTROLLER_UID_INDEX]: byControllerUid },
});

export interface Informers {
  readonly deployments: InformerState<Deployment>;
  readonly replicasets: InformerState<ReplicaSet>;
  readonly pods: InformerState<Pod>;
}

export type InformerName = keyof Informers;

export const INFORMER_SPECS = {
  deployments: deploymentInformer,
  replicasets: replicaSetInformer,
  pods: podInformer,
} as const;

/** Which informers a set of controllers needs. */
export function informersFor(controllers: readonly string[]): InformerName[] {
  return controllers.includes('deployment') ? ['deployments', 'replicasets', 'pods'] : ['replicasets', 'pods'];
}
