// The `kubernetes` Service, as every kube-apiserver keeps it (pkg/controlplane/controller/kubernetesservice
// and the endpoint reconciler): `default/kubernetes`, ClusterIP the first address of the service range
// (10.96.0.1), port `https` 443/TCP → 6443, no selector; its Endpoints and EndpointSlice `kubernetes` list the
// apiservers' advertise addresses. Reconciled every 10 s (EndpointInterval) as an internal job of the
// apiserver, through its own handler chain (as upstream goes through its own storage).
//
// Simplified: upstream's lease reconciler also drops apiservers whose master lease expired; here each
// apiserver only adds its own address, so a stopped apiserver stays listed.
import type { EndpointSlice } from 'kubernetes-types/discovery/v1.js';
import type { Endpoints, Service } from 'kubernetes-types/core/v1.js';
import { KUBERNETES_SERVICE_IP } from '../allocators/ranges.ts';
import { ApiError } from '../errors.ts';
import type { Effect, Flow, FlowEnv, FlowResult } from '../flows/effects.ts';
import { serve } from '../flows/index.ts';
import type { ApiRequest, UserInfo } from '../protocol.ts';

/** EndpointInterval: how often the Service and its endpoints are reconciled. */
export const KUBERNETES_SERVICE_INTERVAL_MS = 10_000;
export const KUBERNETES_SERVICE_PORT = { name: 'https', port: 443, targetPort: 6443 } as const;

const APISERVER_USER: UserInfo = { username: 'system:apiserver', groups: ['system:masters'] };
const IN_DEFAULT = { namespace: 'default', name: 'kubernetes' } as const;

export function kubernetesService(): Service {
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name: 'kubernetes', namespace: 'default', labels: { component: 'apiserver', provider: 'kubernetes' } },
    spec: {
      type: 'ClusterIP',
      clusterIP: KUBERNETES_SERVICE_IP,
      clusterIPs: [KUBERNETES_SERVICE_IP],
      ports: [{ name: KUBERNETES_SERVICE_PORT.name, port: KUBERNETES_SERVICE_PORT.port, protocol: 'TCP', targetPort: KUBERNETES_SERVICE_PORT.targetPort }],
      sessionAffinity: 'None',
    },
  };
}

export function kubernetesEndpoints(ips: readonly string[], base?: Endpoints): Endpoints {
  return {
    apiVersion: 'v1',
    kind: 'Endpoints',
    metadata: { ...base?.metadata, ...IN_DEFAULT, labels: { 'endpointslice.kubernetes.io/skip-mirror': 'true' } },
    subsets: [{ addresses: ips.map((ip) => ({ ip })), ports: [{ name: 'https', port: KUBERNETES_SERVICE_PORT.targetPort, protocol: 'TCP' }] }],
  };
}

export function kubernetesEndpointSlice(ips: readonly string[], base?: EndpointSlice): EndpointSlice {
  return {
    apiVersion: 'discovery.k8s.io/v1',
    kind: 'EndpointSlice',
    metadata: { ...base?.metadata, ...IN_DEFAULT, labels: { 'kubernetes.io/service-name': 'kubernetes' } },
    addressType: 'IPv4',
    endpoints: ips.map((ip) => ({ addresses: [ip], conditions: { ready: true } })),
    ports: [{ name: 'https', port: KUBERNETES_SERVICE_PORT.targetPort, protocol: 'TCP' }],
  };
}

/** One request through the apiserver's own handler chain; an API error is an answer, not a crash. */
function* call(env: FlowEnv, request: Omit<ApiRequest, 'user'>): Generator<Effect, { code: number; body: unknown }, unknown> {
  try {
    const result = (yield* serve({ ...request, user: APISERVER_USER }, env)) as FlowResult;
    return result.kind === 'response' ? { code: result.code || 200, body: result.body } : { code: 500, body: null };
  } catch (e) {
    if (e instanceof ApiError) return { code: e.status.code, body: e.status };
    throw e;
  }
}

const SERVICES = { group: '', version: 'v1', resource: 'services' } as const;
const ENDPOINTS = { group: '', version: 'v1', resource: 'endpoints' } as const;
const SLICES = { group: 'discovery.k8s.io', version: 'v1', resource: 'endpointslices' } as const;

/** Makes sure `ip` is listed by `kind` (Endpoints or the EndpointSlice), creating or updating it. */
function* ensureListed<T extends Endpoints | EndpointSlice>(
  env: FlowEnv, target: typeof ENDPOINTS | typeof SLICES, ip: string, ipsOf: (o: T) => string[], build: (ips: string[], base?: T) => T,
): Generator<Effect, void, unknown> {
  const current = yield* call(env, { verb: 'get', ...target, ...IN_DEFAULT });
  if (current.code === 404) {
    yield* call(env, { verb: 'create', ...target, namespace: 'default', body: build([ip]) });
    return;
  }
  if (current.code !== 200) return;
  const ips = ipsOf(current.body as T);
  if (ips.includes(ip)) return;
  yield* call(env, { verb: 'update', ...target, ...IN_DEFAULT, body: build([...ips, ip].sort(), current.body as T) });
}

/** One reconcile pass for the apiserver advertising `ip`. */
export function* reconcileKubernetesService(env: FlowEnv, ip: string): Flow {
  const service = yield* call(env, { verb: 'get', ...SERVICES, ...IN_DEFAULT });
  if (service.code === 404) yield* call(env, { verb: 'create', ...SERVICES, namespace: 'default', body: kubernetesService() });
  yield* ensureListed<Endpoints>(env, ENDPOINTS, ip, (e) => (e.subsets ?? []).flatMap((s) => (s.addresses ?? []).map((a) => a.ip)), kubernetesEndpoints);
  yield* ensureListed<EndpointSlice>(env, SLICES, ip, (s) => (s.endpoints ?? []).flatMap((e) => e.addresses), kubernetesEndpointSlice);
  return { kind: 'response', code: 200, body: {} };
}
