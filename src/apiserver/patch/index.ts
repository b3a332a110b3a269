import { invalidStatus, type Cause } from '../../api/index.ts';
import { forbidden, required } from '../../api/validation/causes.ts';
import type { ApiQuery, PatchType, Status } from '../protocol.ts';
import { badRequest, fail, patchNotApplicable, unsupportedMediaType } from '../errors.ts';
import { isPlainObject } from '../objects.ts';
import { applyJsonPatch, jsonPatchMentionsResourceVersion, PatchApplyError, PatchDecodeError } from './json-patch.ts';
import { applyMergePatch } from './merge-patch.ts';
import { applyStrategicMergePatch, StrategicPatchError } from './strategic-merge.ts';
import { parseApplyBody } from './apply/body.ts';

export { applyJsonPatch, applyMergePatch, applyStrategicMergePatch };

const SUPPORTED: readonly PatchType[] = ['application/json-patch+json', 'application/merge-patch+json', 'application/strategic-merge-patch+json', 'application/apply-patch+yaml'];

/** errors.NewInvalid for PatchOptions (ValidatePatchOptions). */
export function invalidPatchOptions(causes: readonly Cause[]): Status {
  return invalidStatus('PatchOptions', '', causes, 'meta.k8s.io') as Status;
}

/** Refuses patch types this model does not apply, and `force` outside apply, before any read. */
export function checkPatchType(patchType: unknown, query?: ApiQuery): PatchType {
  if (!SUPPORTED.includes(patchType as PatchType)) {
    fail(unsupportedMediaType(`the body of the request was in an unknown format - accepted media types include: ${SUPPORTED.join(', ')}`));
  }
  const causes: Cause[] = [];
  if (patchType !== 'application/apply-patch+yaml' && query?.force !== undefined) causes.push(forbidden('force', 'may not be specified for non-apply patch'));
  if (patchType === 'application/apply-patch+yaml' && !query?.fieldManager) causes.push(required('fieldManager', 'is required for apply patch'));
  if (typeof query?.fieldManager === 'string' && query.fieldManager.length > 128) {
    causes.push({ type: 'FieldValueTooLong', field: 'fieldManager', message: 'Too long: may not be longer than 128' });
  }
  if (causes.length > 0) fail(invalidPatchOptions(causes));
  return patchType as PatchType;
}

/** The patched document, or the 400/422 kube-apiserver answers for this patch. */
export function applyPatch(patchType: PatchType, current: unknown, patch: unknown): unknown {
  try {
    switch (patchType) {
      case 'application/json-patch+json':
        return applyJsonPatch(current, patch);
      case 'application/merge-patch+json':
        if (patch === null) fail(badRequest('Invalid JSON Patch'));
        return applyMergePatch(current, patch);
      case 'application/strategic-merge-patch+json':
        return applyStrategicMergePatch(current, patch);
      case 'application/apply-patch+yaml':
        // Objects are applied by the apply flow; a subresource (scale) takes the configuration as a merge.
        return applyMergePatch(current, parseApplyBody(patch));
      default:
        return checkPatchType(patchType);
    }
  } catch (e) {
    if (e instanceof PatchDecodeError || e instanceof StrategicPatchError) fail(badRequest(e.message));
    if (e instanceof PatchApplyError) fail(patchNotApplicable());
    throw e;
  }
}

/** A patch that names a resourceVersion is conditional: its conflicts go back to the client, not retried. */
export function patchIsConditional(patchType: PatchType, patch: unknown): boolean {
  if (patchType === 'application/json-patch+json') return jsonPatchMentionsResourceVersion(patch);
  return isPlainObject(patch) && isPlainObject(patch.metadata) && patch.metadata.resourceVersion !== undefined && patch.metadata.resourceVersion !== null;
}
