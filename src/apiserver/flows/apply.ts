import { apiVersionOf } from '../../api/index.ts';
import { rfc3339 } from '../../kubelet/format.ts';
import { decodeBody, expectedKindOf } from '../body.ts';
import { ApiError, fail } from '../errors.ts';
import type { KubeObject } from '../objects.ts';
import { checkPatchType, invalidPatchOptions } from '../patch/index.ts';
import { applyConfiguration, parseApplyBody, recordUpdate, type FieldManagerContext } from '../patch/apply/index.ts';
import { preconditionOf } from '../resource-version.ts';
import { createFlow } from './create.ts';
import type { Flow, Scope } from './effects.ts';
import { response } from './effects.ts';
import { guaranteedUpdate } from './guaranteed-update.ts';
import { readKey } from './storage.ts';
import { checkNameAndNamespace, updatedObject } from './update.ts';

/**
 * Server-side apply (PATCH with application/apply-patch+yaml) and the managed-fields bookkeeping of
 * every other write. The merge, ownership and conflict logic is in src/apiserver/patch/apply; this file
 * ties it to the request flows.
 */

const APPLY = 'application/apply-patch+yaml';

/** Who the write is attributed to; undefined when the request names no field manager. */
function managerContext(s: Scope): FieldManagerContext | undefined {
  const manager = s.request.query?.fieldManager;
  if (typeof manager !== 'string' || manager === '') return undefined;
  return { resource: s.target.resource, subresource: s.target.subresource === 'status' ? 'status' : undefined, manager, time: rfc3339(s.env.now()) };
}

/**
 * Records the fields a create, update or non-apply patch changed as owned by its field manager. Requests
 * without a fieldManager (the simulated components talking over the bus) are not tracked.
 */
export function trackManagedFields(s: Scope, live: KubeObject | undefined, next: KubeObject): KubeObject {
  if (s.request.patchType === APPLY) return next;
  const ctx = managerContext(s);
  return ctx ? recordUpdate(live, next, ctx) : next;
}

export function* applyFlow(s: Scope): Flow {
  const ctx = managerContext(s);
  checkPatchType(s.request.patchType, s.request.query);
  if (!ctx) fail(invalidPatchOptions([]));
  const { resource } = s.target;
  const raw = parseApplyBody(s.request.body);
  const config = { ...raw, metadata: { ...(raw.metadata as object | undefined) } } as KubeObject;
  if (config.apiVersion === apiVersionOf(resource)) decodeBody(config, expectedKindOf(resource));
  if (!config.metadata!.name) config.metadata!.name = s.target.name;
  checkNameAndNamespace(s, config);
  const force = s.request.query?.force === true;
  const key = s.target.key!;

  if (!(yield* readKey(key))) {
    const created = applyConfiguration(undefined, config, ctx, { force });
    try {
      return yield* createFlow({ ...s, request: { ...s.request, verb: 'create', body: created } });
    } catch (e) {
      // Created by someone else since the read: apply to it instead.
      if (!(e instanceof ApiError) || e.status.reason !== 'AlreadyExists') throw e;
    }
  }
  const conditional = preconditionOf(config.metadata?.resourceVersion) !== undefined;
  const result = yield* guaranteedUpdate(s, key, (current) => {
    const applied = applyConfiguration(current, config, ctx, { force });
    if (applied === current) return current;
    const obj = decodeBody(applied, expectedKindOf(resource));
    checkNameAndNamespace(s, obj);
    return updatedObject(s, obj, current);
  }, conditional);
  return response(200, result.object);
}
