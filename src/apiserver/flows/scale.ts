import type { LabelSelector } from 'kubernetes-types/meta/v1.js';
import { formatInvalidMessage, selectorFromLabelSelector, selectorToString } from '../../api/index.ts';
import { notFound, type Status } from '../protocol.ts';
import { decodeBody, type ExpectedKind } from '../body.ts';
import { fail } from '../errors.ts';
import { cloneJson, decodeFromStorage, type KubeObject } from '../objects.ts';
import { applyPatch, checkPatchType, patchIsConditional } from '../patch/index.ts';
import { preconditionOf } from '../resource-version.ts';
import { response, type Flow, type Scope } from './effects.ts';
import { guaranteedUpdate } from './guaranteed-update.ts';
import { checkNameAndNamespace, updatedObject } from './update.ts';
import { readKey } from './storage.ts';

/** The scale subresource of deployments and replicasets: an autoscaling/v1 Scale view of spec.replicas. */
const SCALE: ExpectedKind = { kind: 'Scale', apiVersions: ['autoscaling/v1'] };

export function toScale(obj: KubeObject): KubeObject {
  const spec = (obj.spec ?? {}) as { replicas?: number; selector?: LabelSelector };
  const status = (obj.status ?? {}) as { replicas?: number };
  const meta = obj.metadata ?? {};
  return {
    kind: 'Scale',
    apiVersion: 'autoscaling/v1',
    metadata: {
      name: meta.name, namespace: meta.namespace, uid: meta.uid, resourceVersion: meta.resourceVersion, creationTimestamp: meta.creationTimestamp,
    },
    spec: { replicas: spec.replicas ?? 0 },
    status: { replicas: status.replicas ?? 0, selector: spec.selector ? selectorToString(selectorFromLabelSelector(spec.selector)) : '' },
  };
}

function scaleInvalid(name: string, field: string, message: string, type: string): Status {
  const causes = [{ type: type as 'FieldValueInvalid', field, message }];
  return {
    kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', reason: 'Invalid', code: 422,
    message: formatInvalidMessage('Scale', name, causes, 'autoscaling'),
    details: { name, group: 'autoscaling', kind: 'Scale', causes: causes.map((c) => ({ reason: c.type, message: c.message, field: c.field })) },
  };
}

/** ValidateScale, then the new replica count applied to the object (which is then updated as any PUT). */
function scaled(s: Scope, scale: KubeObject, current: KubeObject): KubeObject {
  const name = s.target.name ?? '';
  const replicas = (scale.spec as { replicas?: unknown } | undefined)?.replicas;
  if (replicas !== undefined && (typeof replicas !== 'number' || !Number.isInteger(replicas))) {
    fail(scaleInvalid(name, 'spec.replicas', `Invalid value: ${JSON.stringify(replicas)}: must be an integer`, 'FieldValueInvalid'));
  }
  if (typeof replicas === 'number' && replicas < 0) {
    fail(scaleInvalid(name, 'spec.replicas', `Invalid value: ${replicas}: must be greater than or equal to 0`, 'FieldValueInvalid'));
  }
  const body: KubeObject = {
    ...cloneJson(current),
    metadata: { ...cloneJson(current.metadata), resourceVersion: scale.metadata?.resourceVersion ?? current.metadata?.resourceVersion },
    spec: { ...(current.spec as object), replicas: (replicas as number | undefined) ?? 0 },
  };
  return updatedObject({ ...s, target: { ...s.target, subresource: undefined } }, body, current);
}

export function* getScaleFlow(s: Scope): Flow {
  const kv = yield* readKey(s.target.key!);
  const obj = kv && decodeFromStorage(kv.value, kv.modRevision);
  if (!obj) fail(notFound(s.target.resource.group, s.target.resource.plural, s.target.name ?? ''));
  return response(200, toScale(obj));
}

export function* updateScaleFlow(s: Scope): Flow {
  const scale = decodeBody(s.request.body, SCALE);
  checkNameAndNamespace(s, scale);
  const conditional = preconditionOf(scale.metadata?.resourceVersion) !== undefined;
  const result = yield* guaranteedUpdate(s, s.target.key!, (current) => scaled(s, scale, current), conditional);
  return response(200, toScale(result.object));
}

export function* patchScaleFlow(s: Scope): Flow {
  const patchType = checkPatchType(s.request.patchType);
  const patch = s.request.body;
  const result = yield* guaranteedUpdate(s, s.target.key!, (current) => {
    const scale = decodeBody(applyPatch(patchType, toScale(current), patch), SCALE);
    checkNameAndNamespace(s, scale);
    return scaled(s, scale, current);
  }, patchIsConditional(patchType, patch));
  return response(200, toScale(result.object));
}
