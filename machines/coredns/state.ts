// CoreDNS's kubernetes plugin as pure functions over one value: informers on Services and EndpointSlices
// in every namespace (through the apiserver in its config). It answers queries from these caches alone
// (src/network/dns.ts), so a new Service resolves once CoreDNS has seen it, and not while CoreDNS is down.
import type { EndpointSlice } from 'kubernetes-types/discovery/v1.js';
import type { Service } from 'kubernetes-types/core/v1.js';
import type { Address } from '../../src/bus/envelope.ts';
import type { ApiResponseMessage, ApiWatchMessage, UserInfo } from '../../src/apiserver/protocol.ts';
import type { HealthOk, HostedEmitted } from '../../src/host/contract.ts';
import {
  DEFAULT_INFORMER_OPTIONS, cancelWatch, informerDeadline, newInformer, ownsRequest, receiveResponse, receiveWatch, startInformer,
  storeList, tickInformer, type InformerSpec, type InformerState, type InformerStep, type KubeObject, type ResourceTarget,
  connectionsDeadline, informerConnectionLost, newConnectionHealth, tickConnections, withConnectionRead, withProbeAnswered,
  type ConnectionHealth,
} from '../../src/client/index.ts';
import { CLUSTER_DOMAIN, type DnsRecords } from '../../src/network/dns.ts';

export interface CoreDnsConfig {
  /** The kube-apiserver CoreDNS watches (e.g. "apiserver-0"). */
  apiserver: Address;
  /** The cluster domain it is authoritative for; default cluster.local. */
  clusterDomain?: string;
}

const SERVICES: ResourceTarget = Object.freeze({ group: '', version: 'v1', resource: 'services' });
const ENDPOINT_SLICES: ResourceTarget = Object.freeze({ group: 'discovery.k8s.io', version: 'v1', resource: 'endpointslices' });
const SPECS = {
  services: Object.freeze({ name: 'services', resource: SERVICES }) as InformerSpec<Service>,
  endpointslices: Object.freeze({ name: 'endpointslices', resource: ENDPOINT_SLICES }) as InformerSpec<EndpointSlice>,
} as const;
type Name = keyof typeof SPECS;
const NAMES: readonly Name[] = ['services', 'endpointslices'];

/** kubeadm binds CoreDNS's service account to system:coredns. */
const COREDNS_USER: UserInfo = Object.freeze({
  username: 'system:serviceaccount:kube-system:coredns',
  groups: ['system:serviceaccounts', 'system:serviceaccounts:kube-system', 'system:authenticated'],
}) as UserInfo;

export interface CoreDnsState {
  readonly apiserver: Address;
  readonly zone: string;
  readonly informers: { readonly services: InformerState<Service>; readonly endpointslices: InformerState<EndpointSlice> };
  /** The HTTP/2 connection to the apiserver its informers share, and its health pings. */
  readonly connections: ConnectionHealth;
}

export interface Outcome {
  readonly state: CoreDnsState;
  readonly emits: readonly HostedEmitted[];
}

export function newCoreDns(self: Address, incarnation: number, config: CoreDnsConfig, now = 0): CoreDnsState {
  if (!config.apiserver) throw new Error('coredns: config.apiserver is required');
  const idPrefix = `${self}#${incarnation}`;
  const options = { ...DEFAULT_INFORMER_OPTIONS, apiserver: config.apiserver, idPrefix, user: COREDNS_USER };
  return {
    apiserver: config.apiserver,
    zone: config.clusterDomain ?? CLUSTER_DOMAIN,
    informers: { services: newInformer(SPECS.services, options), endpointslices: newInformer(SPECS.endpointslices, options) },
    connections: newConnectionHealth(idPrefix, [config.apiserver], now),
  };
}

/** The plugin reports ready once both caches have synced. */
export function ready(state: CoreDnsState): boolean {
  return NAMES.every((n) => state.informers[n].hasSynced);
}

/** What CoreDNS answers from right now. */
export function dnsRecords(state: CoreDnsState): DnsRecords {
  return { services: storeList(state.informers.services.store), endpointSlices: storeList(state.informers.endpointslices.store) };
}

function applyStep(state: CoreDnsState, name: Name, step: InformerStep<KubeObject>, emits: HostedEmitted[]): CoreDnsState {
  for (const o of step.sends) emits.push({ type: 'net.send', to: o.to, message: { ...o.message } });
  return { ...state, informers: { ...state.informers, [name]: step.state } };
}

export function start(state: CoreDnsState, now: number): Outcome {
  const emits: HostedEmitted[] = [];
  let s = state;
  for (const n of NAMES) s = applyStep(s, n, startInformer(SPECS[n] as never, s.informers[n] as never, now), emits);
  return { state: s, emits };
}

const owner = (state: CoreDnsState, requestId: string) => NAMES.find((n) => ownsRequest(state.informers[n] as InformerState<KubeObject>, requestId));

/** Any message from the apiserver is a frame read on the shared connection: it is alive. */
const heard = (state: CoreDnsState, now: number) => withConnectionRead(state, state.apiserver, now);

export function onResponse(previous: CoreDnsState, message: ApiResponseMessage, now: number): Outcome {
  const state = heard(previous, now);
  const emits: HostedEmitted[] = [];
  const n = owner(state, message.requestId);
  return { state: n ? applyStep(state, n, receiveResponse(SPECS[n] as never, state.informers[n] as never, message, now), emits) : state, emits };
}

export function onWatch(previous: CoreDnsState, message: ApiWatchMessage, now: number): Outcome {
  const state = heard(previous, now);
  const emits: HostedEmitted[] = [];
  const n = owner(state, message.requestId);
  if (!n) {
    if (!message.closed) emits.push({ type: 'net.send', to: state.apiserver, message: { ...cancelWatch(state.apiserver, message.requestId).message } });
    return { state, emits };
  }
  return { state: applyStep(state, n, receiveWatch(SPECS[n] as never, state.informers[n] as never, message, now), emits), emits };
}

/** The apiserver answered the connection's health ping. */
export function onHealthOk(state: CoreDnsState, message: HealthOk, now: number): Outcome {
  return { state: withProbeAnswered(state, message.id, now), emits: [] };
}

export function onTimers(state: CoreDnsState, now: number): Outcome {
  const emits: HostedEmitted[] = [];
  // Ping the connection when idle; a ping unanswered closes it, and both informers relist.
  const checked = tickConnections(state.connections, now);
  let s: CoreDnsState = { ...state, connections: checked.state };
  for (const o of checked.probes) emits.push({ type: 'net.send', to: o.to, message: { ...o.message } });
  for (const apiserver of checked.lost) {
    for (const n of NAMES) s = applyStep(s, n, informerConnectionLost(s.informers[n] as InformerState<KubeObject>, apiserver, now), emits);
  }
  for (const n of NAMES) s = applyStep(s, n, tickInformer(SPECS[n] as never, s.informers[n] as never, now), emits);
  return { state: s, emits };
}

export function nextDeadline(state: CoreDnsState): number | undefined {
  const times = NAMES.flatMap((n) => {
    const at = informerDeadline(state.informers[n] as InformerState<KubeObject>);
    return at === undefined ? [] : [at];
  });
  const ping = connectionsDeadline(state.connections);
  if (ping !== undefined) times.push(ping);
  return times.length > 0 ? Math.min(...times) : undefined;
}
