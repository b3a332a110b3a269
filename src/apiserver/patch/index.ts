import type { PatchType } from '../protocol.ts';
import { badRequest, fail, patchNotApplicable, unsupportedMediaType } from '../errors.ts';
import { isPlainObject } from '../objects.ts';
import { applyJsonPatch, jsonPatchMentionsResourceVersion, PatchApplyError, PatchDecodeError } from './json-patch.ts';
import { applyMergePatch } from './merge-patch.ts';
import { applyStrategicMergePatch, StrategicPatchError } from './strategic-merge.ts';

export { applyJsonPatch, applyMergePatch, applyStrategicMergePatch };

const SUPPORTED: readonly PatchType[] = ['application/json-patch+json', 'application/merge-patch+json', 'application/strategic-merge-patch+json'];

/** Refuses patch types this model does not apply (server-side apply is a later issue) before any read. */
export function checkPatchType(patchType: unknown): PatchType {
  if (!SUPPORTED.includes(patchType as PatchType)) {
    fail(unsupportedMediaType(`the body of the request was in an unknown format - accepted media types include: ${SUPPORTED.join(', ')}`));
  }
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
