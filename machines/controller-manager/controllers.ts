// The table of controllers the manager runs: name → module. Adding a controller is adding a module here.
import type { ControllerName } from './config.ts';
import type { AnyControllerModule } from './controller-module.ts';
import { daemonSetController } from './daemonset/module.ts';
import { deploymentController } from './deployment/module.ts';
import { endpointsController } from './endpoints/module.ts';
import { endpointSliceController } from './endpointslice/module.ts';
import { jobController } from './job/module.ts';
import { garbageCollector } from './garbage-collector/module.ts';
import { INFORMER_NAMES, type InformerName } from './informers.ts';
import { namespaceController } from './namespace/module.ts';
import { nodeLifecycleController } from './node-lifecycle/module.ts';
import { replicaSetController } from './replicaset/module.ts';
import { taintEvictionController } from './taint-eviction/module.ts';

export const CONTROLLERS: Readonly<Record<ControllerName, AnyControllerModule>> = Object.freeze({
  replicaset: replicaSetController,
  deployment: deploymentController,
  nodelifecycle: nodeLifecycleController,
  'taint-eviction-controller': taintEvictionController,
  endpoint: endpointsController,
  endpointslice: endpointSliceController,
  job: jobController,
  daemonset: daemonSetController,
  garbagecollector: garbageCollector,
  namespace: namespaceController,
});

/** The union of the informers a set of controllers needs, in one fixed order. */
export function informersFor(controllers: readonly ControllerName[]): InformerName[] {
  const wanted = new Set(controllers.flatMap((c) => CONTROLLERS[c].informers));
  return INFORMER_NAMES.filter((name) => wanted.has(name));
}
