import type { Pod } from 'kubernetes-types/core/v1.js';
import { addDefaultTolerations } from '../../api/index.ts';
import type { KubeObject } from '../objects.ts';
import type { AdmissionPlugin } from './types.ts';

/** DefaultTolerationSeconds: pods get 300 s NoExecute tolerations for not-ready and unreachable nodes. */
export const defaultTolerationSeconds: AdmissionPlugin = {
  name: 'DefaultTolerationSeconds',
  admit(a) {
    if (a.operation !== 'CREATE' || a.subresource || a.resource.plural !== 'pods' || a.resource.group !== '' || !a.object) {
      return { object: a.object ?? {} };
    }
    return { object: addDefaultTolerations(a.object as Pod) as KubeObject };
  },
};
