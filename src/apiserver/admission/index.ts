import type { Status } from '../protocol.ts';
import type { KubeObject } from '../objects.ts';
import { defaultTolerationSeconds } from './default-toleration-seconds.ts';
import { namespaceLifecycle } from './namespace-lifecycle.ts';
import { serviceAccount } from './service-account.ts';
import type { AdmissionAttributes, AdmissionLookups, AdmissionPlugin } from './types.ts';

export type { AdmissionAttributes, AdmissionLookups, AdmissionPlugin, AdmitResult } from './types.ts';
export { IMMORTAL_NAMESPACES } from './namespace-lifecycle.ts';

export const ADMISSION_PLUGINS: Readonly<Record<string, AdmissionPlugin>> = {
  NamespaceLifecycle: namespaceLifecycle,
  DefaultTolerationSeconds: defaultTolerationSeconds,
  ServiceAccount: serviceAccount,
};

export const DEFAULT_ADMISSION = ['NamespaceLifecycle', 'DefaultTolerationSeconds'];

/** The mutating phase: every plugin's `admit`, in order, each seeing the previous one's result. */
export function runMutatingAdmission(
  plugins: readonly AdmissionPlugin[], attributes: AdmissionAttributes, lookups: AdmissionLookups,
): { object: KubeObject } | { status: Status } {
  let object = attributes.object ?? {};
  for (const plugin of plugins) {
    if (!plugin.admit) continue;
    const result = plugin.admit({ ...attributes, object }, lookups);
    if ('status' in result) return result;
    object = result.object;
  }
  return { object };
}

/** The validating phase: the first refusal wins. */
export function runValidatingAdmission(
  plugins: readonly AdmissionPlugin[], attributes: AdmissionAttributes, lookups: AdmissionLookups,
): Status | undefined {
  for (const plugin of plugins) {
    const status = plugin.validate?.(attributes, lookups);
    if (status) return status;
  }
  return undefined;
}
