// Decode-time failures: a malformed quantity never reaches validation; the request body fails
// to decode and kube-apiserver answers 400 BadRequest with
//   Pod in version "v1" cannot be handled as a Pod: quantities must match the regular expression ...
import type { PodSpec } from 'kubernetes-types/core/v1.js';
import { ERR_FORMAT_WRONG, QuantityError, parseQuantityValue } from './quantity.ts';
import { splitApiVersion } from './resources.ts';

function* resourceLists(spec: PodSpec | undefined): Generator<Record<string, unknown>> {
  if (spec === undefined) return;
  for (const c of [...(spec.containers ?? []), ...(spec.initContainers ?? []), ...(spec.ephemeralContainers ?? [])]) {
    if (c.resources?.limits) yield c.resources.limits;
    if (c.resources?.requests) yield c.resources.requests;
  }
  if (spec.overhead) yield spec.overhead;
  for (const v of spec.volumes ?? []) if (v.emptyDir?.sizeLimit !== undefined) yield { sizeLimit: v.emptyDir.sizeLimit };
}

function* quantitiesOf(obj: Record<string, unknown>): Generator<Record<string, unknown>> {
  const spec = obj.spec as Record<string, unknown> | undefined;
  const status = obj.status as Record<string, unknown> | undefined;
  if (obj.kind === 'Pod') yield* resourceLists(spec as PodSpec | undefined);
  const template = spec?.template as { spec?: PodSpec } | undefined;
  if (template?.spec) yield* resourceLists(template.spec);
  if (obj.kind === 'Node') {
    for (const list of [status?.capacity, status?.allocatable]) if (list) yield list as Record<string, unknown>;
  }
}

/** The 400 message decoding this object would produce, or undefined if it decodes. */
export function findDecodeError<T extends { apiVersion?: string; kind?: string }>(obj: T): string | undefined {
  const kind = obj.kind ?? '';
  const { version } = splitApiVersion(obj.apiVersion ?? '');
  for (const list of quantitiesOf(obj as Record<string, unknown>)) {
    for (const value of Object.values(list)) {
      try {
        if (value === null) continue; // JSON null decodes to the zero quantity
        // Anything else non-scalar reaches ParseQuantity as raw JSON text and fails its format check.
        if (typeof value !== 'string' && typeof value !== 'number') throw new QuantityError(ERR_FORMAT_WRONG);
        parseQuantityValue(value);
      } catch (e) {
        return `${kind} in version "${version}" cannot be handled as a ${kind}: ${(e as Error).message}`;
      }
    }
  }
  return undefined;
}
