// kube-proxy as pure functions over one value: two informers (Services, EndpointSlices) whose changes ask
// the sync runner for a sync; a sync — once both caches have synced — computes the node's whole rule
// table for the configured mode and writes it to the kernel (the host's disk, see src/network/kernel.ts).
// Every function returns the new state and what to emit.
import type { EndpointSlice } from 'kubernetes-types/discovery/v1.js';
import type { Service } from 'kubernetes-types/core/v1.js';
import type { Address } from '../../src/bus/envelope.ts';
import type { ApiResponseMessage, ApiWatchMessage } from '../../src/apiserver/protocol.ts';
import type { HealthOk, HostedEmitted } from '../../src/host/contract.ts';
import {
  cancelWatch, informerDeadline, newInformer, ownsRequest, receiveResponse, receiveWatch, startInformer, storeList,
  tickInformer, type InformerState, type InformerStep, type KubeObject, type Outgoing,
  connectionsDeadline, informerConnectionLost, newConnectionHealth, tickConnections, withConnectionRead, withProbeAnswered,
  type ConnectionHealth,
} from '../../src/client/index.ts';
import { KERNEL_RULES_KEY, type NodeRules } from '../../src/network/kernel.ts';
import { resolveConfig, type KubeProxyConfig, type ResolvedConfig } from './config.ts';
import { endpointString, endpointsMap, type EndpointInfo } from './endpoints.ts';
import { INFORMER_NAMES, INFORMER_SPECS, type InformerName, type Informers } from './informers.ts';
import { buildIptablesRules } from './iptables-rules.ts';
import { buildIpvsIptables, buildIpvsTables } from './ipvs-rules.ts';
import { servicePortMap } from './service-ports.ts';
import { newSyncRunner, requestSync, runnerDeadline, takeSync, type SyncRunner } from './sync-runner.ts';

export interface ProxierState {
  readonly self: Address;
  readonly incarnation: number;
  readonly config: ResolvedConfig;
  readonly informers: Informers;
  /** The HTTP/2 connection to the apiserver its informers share, and its health pings. */
  readonly connections: ConnectionHealth;
  readonly runner: SyncRunner;
  readonly syncs: number;
  readonly lastSyncAt?: number;
  /** Only for the planted bug: every endpoint ever seen, by service port key. */
  readonly remembered: Readonly<Record<string, readonly EndpointInfo[]>>;
}

export interface Outcome {
  readonly state: ProxierState;
  readonly emits: readonly HostedEmitted[];
}

export function newProxier(self: Address, incarnation: number, config: KubeProxyConfig, now: number): ProxierState {
  const resolved = resolveConfig(config);
  const idPrefix = `${self}#${incarnation}`;
  const options = { ...resolved.informer, apiserver: resolved.apiserver, idPrefix };
  return {
    self, incarnation, config: resolved,
    informers: {
      services: newInformer(INFORMER_SPECS.services, options),
      endpointslices: newInformer(INFORMER_SPECS.endpointslices, options),
    },
    connections: newConnectionHealth(idPrefix, [resolved.apiserver], now),
    runner: newSyncRunner(now, resolved.syncPeriodMs),
    syncs: 0,
    remembered: {},
  };
}

class Tx {
  state: ProxierState;
  readonly emits: HostedEmitted[] = [];
  constructor(state: ProxierState, readonly now: number) {
    this.state = state;
  }
  send(outgoing: readonly Outgoing<{ type: string }>[]): void {
    for (const o of outgoing) this.emits.push({ type: 'net.send', to: o.to, message: { ...o.message } });
  }
  done(): Outcome {
    return { state: this.state, emits: this.emits };
  }
}

/** isInitialized: no rules are written before both caches have synced. */
export function cachesSynced(state: ProxierState): boolean {
  return INFORMER_NAMES.every((name) => state.informers[name].hasSynced);
}

function applyInformerStep(tx: Tx, name: InformerName, step: InformerStep<KubeObject>): void {
  tx.state = { ...tx.state, informers: { ...tx.state.informers, [name]: step.state } };
  tx.send(step.sends);
  // OnServiceAdd/Update/Delete and OnEndpointSlice…: every change asks for a sync.
  if (step.deltas.some((d) => d.type !== 'updated' || d.old !== d.object)) tx.state = { ...tx.state, runner: requestSync(tx.state.runner) };
}

export function startProxier(state: ProxierState, now: number): Outcome {
  const tx = new Tx(state, now);
  for (const name of INFORMER_NAMES) applyInformerStep(tx, name, startInformer(INFORMER_SPECS[name] as never, state.informers[name] as never, now));
  tx.emits.push({ type: 'obs.kubeproxy.start', node: state.config.nodeName, mode: state.config.mode, incarnation: state.incarnation, at: now });
  return tx.done();
}

function informerOwning(state: ProxierState, requestId: string): InformerName | undefined {
  return INFORMER_NAMES.find((name) => ownsRequest(state.informers[name] as InformerState<KubeObject>, requestId));
}

/** Any message from the apiserver is a frame read on the shared connection: it is alive. */
const heard = (state: ProxierState, now: number) => withConnectionRead(state, state.config.apiserver, now);

export function handleResponse(state: ProxierState, message: ApiResponseMessage, now: number): Outcome {
  const tx = new Tx(heard(state, now), now);
  const name = informerOwning(state, message.requestId);
  if (name) applyInformerStep(tx, name, receiveResponse(INFORMER_SPECS[name] as never, state.informers[name] as never, message, now));
  maybeSync(tx);
  return tx.done();
}

export function handleWatch(state: ProxierState, message: ApiWatchMessage, now: number): Outcome {
  const tx = new Tx(heard(state, now), now);
  const name = informerOwning(state, message.requestId);
  if (!name) {
    if (!message.closed) tx.send([cancelWatch(state.config.apiserver, message.requestId)]);
    return tx.done();
  }
  applyInformerStep(tx, name, receiveWatch(INFORMER_SPECS[name] as never, state.informers[name] as never, message, now));
  maybeSync(tx);
  return tx.done();
}

/** The apiserver answered the connection's health ping. */
export function handleHealthOk(state: ProxierState, message: HealthOk, now: number): Outcome {
  return { state: withProbeAnswered(state, message.id, now), emits: [] };
}

export function handleTimers(state: ProxierState, now: number): Outcome {
  const tx = new Tx(state, now);
  // Ping the connection when idle; a ping unanswered closes it, and both informers relist.
  const checked = tickConnections(state.connections, now);
  tx.state = { ...tx.state, connections: checked.state };
  tx.send(checked.probes);
  for (const apiserver of checked.lost) {
    for (const name of INFORMER_NAMES) applyInformerStep(tx, name, informerConnectionLost(tx.state.informers[name] as InformerState<KubeObject>, apiserver, now));
  }
  for (const name of INFORMER_NAMES) applyInformerStep(tx, name, tickInformer(INFORMER_SPECS[name] as never, tx.state.informers[name] as never, now));
  maybeSync(tx);
  return tx.done();
}

export function nextDeadline(state: ProxierState): number | undefined {
  const times: number[] = [];
  const ping = connectionsDeadline(state.connections);
  if (ping !== undefined) times.push(ping);
  for (const name of INFORMER_NAMES) {
    const at = informerDeadline(state.informers[name] as InformerState<KubeObject>);
    if (at !== undefined) times.push(at);
  }
  if (cachesSynced(state)) times.push(runnerDeadline(state.runner, state.config.minSyncPeriodMs));
  return times.length > 0 ? Math.min(...times) : undefined;
}

function maybeSync(tx: Tx): void {
  const s = tx.state;
  if (!cachesSynced(s)) return;
  // The first sync after start is asked for by the initial lists; later ones by changes or the period.
  const { run, runner } = takeSync(s.syncs === 0 ? requestSync(s.runner) : s.runner, tx.now, s.config.minSyncPeriodMs, s.config.syncPeriodMs);
  tx.state = { ...s, runner };
  if (run) syncProxyRules(tx);
}

/** The endpoints the rules use; with the planted bug, every endpoint ever seen stays. */
function currentEndpoints(tx: Tx): Map<string, EndpointInfo[]> {
  const s = tx.state;
  const fresh = endpointsMap(storeList(s.informers.endpointslices.store) as EndpointSlice[], s.config.nodeName);
  if (s.config.plant !== 'kube-proxy-never-removes-endpoint') return fresh;
  const remembered: Record<string, EndpointInfo[]> = {};
  const keys = new Set([...Object.keys(s.remembered), ...fresh.keys()]);
  for (const key of keys) {
    const byId = new Map<string, EndpointInfo>();
    for (const ep of s.remembered[key] ?? []) byId.set(endpointString(ep), ep);
    for (const ep of fresh.get(key) ?? []) byId.set(endpointString(ep), ep);
    remembered[key] = [...byId.values()].sort((a, b) => (endpointString(a) < endpointString(b) ? -1 : 1));
  }
  tx.state = { ...s, remembered };
  return new Map(Object.entries(remembered));
}

/** One full sync: the whole table for the mode, written to the kernel in one go (iptables-restore). */
function syncProxyRules(tx: Tx): void {
  const s = tx.state;
  const { config } = s;
  const ports = servicePortMap(storeList(s.informers.services.store) as Service[]);
  const endpoints = currentEndpoints(tx);
  const ctx = { clusterCIDR: config.clusterCIDR, nodeIP: config.nodeIP };
  const rules: NodeRules = config.mode === 'ipvs'
    ? { node: config.nodeName, nodeIP: config.nodeIP, mode: 'ipvs', iptables: buildIpvsIptables(ctx), ipvs: buildIpvsTables(ports, endpoints, ctx), writtenAt: tx.now, writtenBy: s.incarnation }
    : { node: config.nodeName, nodeIP: config.nodeIP, mode: 'iptables', iptables: buildIptablesRules(ports, endpoints, ctx), writtenAt: tx.now, writtenBy: s.incarnation };
  // Kernel state, not a file: no fsync (it outlives the process, not the machine).
  tx.emits.push({ type: 'disk.write', key: KERNEL_RULES_KEY, value: rules });
  let endpointCount = 0;
  for (const list of endpoints.values()) endpointCount += list.length;
  tx.state = { ...tx.state, syncs: tx.state.syncs + 1, lastSyncAt: tx.now };
  tx.emits.push({
    type: 'obs.kubeproxy.sync', node: config.nodeName, mode: config.mode, at: tx.now, incarnation: s.incarnation,
    servicePorts: ports.length, endpoints: endpointCount,
  });
}
