// kube-proxy's informers: Services and EndpointSlices in every namespace, minus those labelled for
// another proxy or as headless (upstream's label selector `!service.kubernetes.io/service-proxy-name,
// !service.kubernetes.io/headless`, applied to both).
import type { EndpointSlice } from 'kubernetes-types/discovery/v1.js';
import type { Service } from 'kubernetes-types/core/v1.js';
import type { InformerSpec, InformerState, ResourceTarget } from '../../src/client/index.ts';

export const PROXY_LABEL_SELECTOR = '!service.kubernetes.io/service-proxy-name,!service.kubernetes.io/headless';

export const SERVICES: ResourceTarget = Object.freeze({ group: '', version: 'v1', resource: 'services' });
export const ENDPOINT_SLICES: ResourceTarget = Object.freeze({ group: 'discovery.k8s.io', version: 'v1', resource: 'endpointslices' });

export const serviceInformer: InformerSpec<Service> = Object.freeze({ name: 'services', resource: SERVICES, labelSelector: PROXY_LABEL_SELECTOR });
export const endpointSliceInformer: InformerSpec<EndpointSlice> = Object.freeze({
  name: 'endpointslices', resource: ENDPOINT_SLICES, labelSelector: PROXY_LABEL_SELECTOR,
});

export interface Informers {
  readonly services: InformerState<Service>;
  readonly endpointslices: InformerState<EndpointSlice>;
}

export type InformerName = keyof Informers;

export const INFORMER_SPECS = { services: serviceInformer, endpointslices: endpointSliceInformer } as const;
export const INFORMER_NAMES: readonly InformerName[] = ['services', 'endpointslices'];
