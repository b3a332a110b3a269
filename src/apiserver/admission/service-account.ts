import type { Pod } from 'kubernetes-types/core/v1.js';
import type { KubeObject } from '../objects.ts';
import type { AdmissionPlugin } from './types.ts';

/**
 * ServiceAccount (defaulting only): a pod without a service account runs as `default`. Upstream also
 * requires the account to exist and mounts its token; there is no token controller in this model.
 */
export const serviceAccount: AdmissionPlugin = {
  name: 'ServiceAccount',
  admit(a) {
    const pod = a.object as Pod | undefined;
    if (a.operation !== 'CREATE' || a.subresource || a.resource.plural !== 'pods' || a.resource.group !== '' || !pod) return { object: a.object ?? {} };
    if (pod.spec?.serviceAccountName) return { object: a.object! };
    return { object: { ...pod, spec: { containers: [], ...pod.spec, serviceAccountName: 'default' } } as KubeObject };
  },
};
