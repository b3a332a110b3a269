import type { Binding, Pod, PodCondition } from 'kubernetes-types/core/v1.js';
import { rfc3339 } from '../../kubelet/format.ts';
import { decodeBody } from '../body.ts';
import { badRequest, conflictBecause, fail, success } from '../errors.ts';
import type { KubeObject } from '../objects.ts';
import type { Status } from '../protocol.ts';
import { invalid } from './pipeline.ts';
import { response, type Flow, type Scope } from './effects.ts';
import { guaranteedUpdate } from './guaranteed-update.ts';

/**
 * POST pods/x/binding (what the scheduler does): sets spec.nodeName and the PodScheduled condition, once.
 * A pod already bound, or being deleted, is a 409, as BindingREST.assignPod answers.
 */
export function* bindingFlow(s: Scope): Flow {
  const binding = decodeBody(s.request.body, { kind: 'Binding', apiVersions: ['v1'] }) as KubeObject & Binding;
  const name = s.target.name!;
  if (binding.metadata?.name !== name) fail(badRequest('name in URL does not match name in Binding object'));
  const target = (binding.target ?? {}) as Binding['target'];
  const problem = bindingProblem(s, target);
  if (problem) fail(problem);
  yield* guaranteedUpdate(s, s.target.key!, (current) => assign(s, current as KubeObject & Pod, binding), false);
  return response(201, success(201));
}

function bindingProblem(s: Scope, target: Binding['target']): Status | undefined {
  if (target.kind && target.kind !== 'Node') {
    return invalid(s.target.resource, s.target.name!, [
      { type: 'FieldValueNotSupported', field: 'target.kind', message: `Unsupported value: "${target.kind}": supported values: "Node", "<empty>"` },
    ]);
  }
  if (!target.name || typeof target.name !== 'string') {
    return invalid(s.target.resource, s.target.name!, [{ type: 'FieldValueRequired', field: 'target.name', message: 'Required value' }]);
  }
  return undefined;
}

function assign(s: Scope, pod: KubeObject & Pod, binding: KubeObject & Binding): KubeObject {
  const name = pod.metadata?.name ?? '';
  const { group, plural } = s.target.resource;
  const uid = binding.metadata?.uid;
  if (uid && uid !== pod.metadata?.uid) {
    fail(conflictBecause(group, plural, name, `Precondition failed: UID in precondition: ${uid}, UID in object meta: ${pod.metadata?.uid ?? ''}`));
  }
  if (pod.metadata?.deletionTimestamp) fail(conflictBecause(group, plural, name, `pod ${name} is being deleted, cannot be assigned to a host`));
  if (pod.spec?.nodeName) fail(conflictBecause(group, plural, name, `pod ${name} is already assigned to node "${pod.spec.nodeName}"`));
  const scheduled: PodCondition = { type: 'PodScheduled', status: 'True', lastProbeTime: null as unknown as undefined, lastTransitionTime: rfc3339(s.env.now()) };
  const conditions = (pod.status?.conditions ?? []).filter((c) => c.type !== 'PodScheduled');
  const annotations = { ...pod.metadata?.annotations, ...binding.metadata?.annotations };
  return {
    ...pod,
    metadata: { ...pod.metadata, ...(Object.keys(annotations).length > 0 ? { annotations } : {}) },
    spec: { ...pod.spec!, nodeName: binding.target.name },
    status: { ...pod.status, conditions: [...conditions, scheduled] },
  };
}
