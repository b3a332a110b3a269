// The two writes of the scheduler besides events: the binding (DefaultBinder) and the PodScheduled
// condition patch (util.PatchPodStatus), as the requests of src/apiserver/protocol.ts.
import type { Binding, Pod } from 'kubernetes-types/core/v1.js';
import type { Address } from '../../src/bus/envelope.ts';
import type { UserInfo } from '../../src/apiserver/protocol.ts';
import { sendRequest, type Outgoing } from '../../src/client/index.ts';

/** DefaultBinder.Bind: a v1.Binding naming the pod (with its uid as precondition) and the node. */
export function bindingFor(pod: Pod, node: string): Binding {
  return {
    apiVersion: 'v1',
    kind: 'Binding',
    metadata: { name: pod.metadata?.name, namespace: pod.metadata?.namespace, uid: pod.metadata?.uid },
    target: { kind: 'Node', name: node },
  };
}

/** POST /api/v1/namespaces/<ns>/pods/<name>/binding. */
export function bindRequest(apiserver: Address, requestId: string, pod: Pod, node: string, user: UserInfo): Outgoing {
  return sendRequest(apiserver, requestId, {
    verb: 'create', group: '', version: 'v1', resource: 'pods', subresource: 'binding',
    namespace: pod.metadata?.namespace ?? 'default', name: pod.metadata?.name, body: bindingFor(pod, node), user,
  });
}

/** PATCH /api/v1/namespaces/<ns>/pods/<name>/status with a strategic merge patch. */
export function podStatusPatchRequest(apiserver: Address, requestId: string, pod: Pod, patch: unknown, user: UserInfo): Outgoing {
  return sendRequest(apiserver, requestId, {
    verb: 'patch', group: '', version: 'v1', resource: 'pods', subresource: 'status',
    namespace: pod.metadata?.namespace ?? 'default', name: pod.metadata?.name, body: patch,
    patchType: 'application/strategic-merge-patch+json', user,
  });
}
