// Checks a cluster spec from any source (YAML, JSON, code) and fills in the defaults. Every problem is an
// InputError naming the field: a bad spec is reported, never a crash halfway through building.
import type { Taint } from 'kubernetes-types/core/v1.js';
import type { Latency, LinkModel } from '../bus/network.ts';
import { isQualifiedName, isValidLabelValue, isDNS1123Subdomain } from '../api/validation/rules.ts';
import { parseQuantity, quantityValue } from '../api/quantity.ts';
import type { RegistryConfig } from '../kubelet/registry.ts';
import {
  InputError, boolean, describeValue, integer, isObject, join, list, number, object, oneOf, onlyKeys, optionalBoolean,
  optionalInteger, optionalString, string, stringMap, type Obj,
} from './input-check.ts';
import {
  DEFAULT_APISERVERS, DEFAULT_ETCD_MEMBERS, DEFAULT_NODE_CAPACITY, DEFAULT_NODE_COUNT,
  type ClusterSpec, type ComponentSettings, type NodeCapacity, type NodeSpec, type ResolvedClusterSpec,
} from './spec.ts';

/** Upper bounds that keep a typo (`count: 10000000`) from exhausting memory. */
export const LIMITS = { etcdMembers: 7, apiservers: 9, nodes: 5_000, controlPlaneReplicas: 9 } as const;

/** Host names the control plane uses; a node may not take one. */
const RESERVED_HOSTS = /^(etcd-\d+|apiserver-\d+|scheduler-\d+|kcm-\d+|apiserver-lb|user|frontdoor-\d+|control-plane-\d+)$/;

export function resolveClusterSpec(input: unknown = {}, path = 'cluster'): ResolvedClusterSpec {
  const spec = object(input ?? {}, path);
  onlyKeys(spec, ['etcd', 'apiservers', 'nodes', 'registry', 'network', 'components', 'controlPlane'], path);
  let etcdMembers = DEFAULT_ETCD_MEMBERS;
  if (spec.etcd !== undefined) {
    const etcd = object(spec.etcd, join(path, 'etcd'));
    onlyKeys(etcd, ['members'], join(path, 'etcd'));
    etcdMembers = optionalInteger(etcd, 'members', join(path, 'etcd'), 1, LIMITS.etcdMembers) ?? etcdMembers;
  }
  const apiservers = optionalInteger(spec, 'apiservers', path, 1, LIMITS.apiservers) ?? DEFAULT_APISERVERS;
  const resolved: ResolvedClusterSpec = {
    etcdMembers,
    apiservers,
    nodes: resolveNodes(spec.nodes, join(path, 'nodes')),
    components: resolveComponents(spec.components, join(path, 'components'), apiservers),
  };
  if (spec.registry !== undefined) resolved.registry = resolveRegistry(spec.registry, join(path, 'registry'));
  if (spec.network !== undefined) resolved.network = resolveLink(spec.network, join(path, 'network'));
  if (spec.controlPlane !== undefined) {
    const cp = object(spec.controlPlane, join(path, 'controlPlane'));
    onlyKeys(cp, ['staticPods', 'addons'], join(path, 'controlPlane'));
    resolved.controlPlane = {
      staticPods: optionalBoolean(cp, 'staticPods', join(path, 'controlPlane')) ?? false,
      addons: optionalBoolean(cp, 'addons', join(path, 'controlPlane')) ?? false,
    };
  }
  return resolved;
}

/** The typed spec a caller passes (same checks; the type only documents the shape). */
export function checkClusterSpec(spec: ClusterSpec): ResolvedClusterSpec {
  return resolveClusterSpec(spec);
}

function resolveNodes(value: unknown, path: string): NodeSpec[] {
  if (value === undefined) return pool(DEFAULT_NODE_COUNT, {}, path);
  if (Array.isArray(value)) {
    if (value.length > LIMITS.nodes) throw new InputError(path, `at most ${LIMITS.nodes} nodes, got ${value.length}`);
    const nodes = value.map((entry, i) => resolveNode(entry, i + 1, join(path, i)));
    const seen = new Set<string>();
    nodes.forEach((node, i) => {
      if (seen.has(node.name)) throw new InputError(join(join(path, i), 'name'), `duplicate node name "${node.name}"`);
      seen.add(node.name);
    });
    return nodes;
  }
  if (isObject(value)) {
    onlyKeys(value, ['count', 'capacity', 'labels', 'taints'], path);
    if (value.count === undefined) throw new InputError(join(path, 'count'), 'required: how many nodes (or give a list of nodes)');
    return pool(integer(value.count, join(path, 'count'), 0, LIMITS.nodes), value, path);
  }
  throw new InputError(path, `must be a list of nodes or a mapping { count, capacity, labels, taints }, got ${describeValue(value)}`);
}

function pool(count: number, template: Obj, path: string): NodeSpec[] {
  const capacity = resolveCapacity(template.capacity, join(path, 'capacity'));
  const labels = template.labels === undefined ? undefined : resolveLabels(template.labels, join(path, 'labels'));
  const taints = template.taints === undefined ? undefined : resolveTaints(template.taints, join(path, 'taints'));
  return Array.from({ length: count }, (_, i) => ({
    name: `node-${i + 1}`,
    capacity: { ...capacity },
    ...(labels ? { labels: { ...labels } } : {}),
    ...(taints ? { taints: taints.map((t) => ({ ...t })) } : {}),
  }));
}

function resolveNode(value: unknown, index: number, path: string): NodeSpec {
  const entry = object(value, path);
  onlyKeys(entry, ['name', 'capacity', 'labels', 'taints', 'unschedulable', 'podCIDR', 'hostIP'], path);
  const name = optionalString(entry, 'name', path) ?? `node-${index}`;
  const problems = isDNS1123Subdomain(name);
  if (problems.length > 0) throw new InputError(join(path, 'name'), `"${name}" is not a valid node name: ${problems.join('; ')}`);
  if (RESERVED_HOSTS.test(name)) throw new InputError(join(path, 'name'), `"${name}" is a control-plane host name; pick another`);
  const node: NodeSpec = { name, capacity: resolveCapacity(entry.capacity, join(path, 'capacity')) };
  if (entry.labels !== undefined) node.labels = resolveLabels(entry.labels, join(path, 'labels'));
  if (entry.taints !== undefined) node.taints = resolveTaints(entry.taints, join(path, 'taints'));
  const unschedulable = optionalBoolean(entry, 'unschedulable', path);
  if (unschedulable !== undefined) node.unschedulable = unschedulable;
  const podCIDR = optionalString(entry, 'podCIDR', path);
  if (podCIDR !== undefined) {
    if (!/^\d{1,3}(\.\d{1,3}){3}\/\d{1,2}$/.test(podCIDR)) throw new InputError(join(path, 'podCIDR'), `"${podCIDR}" is not an IPv4 CIDR`);
    node.podCIDR = podCIDR;
  }
  const hostIP = optionalString(entry, 'hostIP', path);
  if (hostIP !== undefined) {
    if (!/^\d{1,3}(\.\d{1,3}){3}$/.test(hostIP)) throw new InputError(join(path, 'hostIP'), `"${hostIP}" is not an IPv4 address`);
    node.hostIP = hostIP;
  }
  return node;
}

const CAPACITY_KEYS = ['cpu', 'memory', 'pods', 'ephemeral-storage'] as const;

function resolveCapacity(value: unknown, path: string): NodeCapacity {
  const out: NodeCapacity = { ...DEFAULT_NODE_CAPACITY };
  if (value === undefined) return out;
  const capacity = object(value, path);
  onlyKeys(capacity, CAPACITY_KEYS, path);
  for (const key of CAPACITY_KEYS) {
    const raw = capacity[key];
    if (raw === undefined) continue;
    const text = typeof raw === 'number' ? String(raw) : raw;
    if (typeof text !== 'string') throw new InputError(join(path, key), `must be a quantity such as "4" or "8Gi", got ${describeValue(raw)}`);
    let amount: bigint;
    try {
      amount = quantityValue(parseQuantity(text));
    } catch {
      throw new InputError(join(path, key), `"${text}" is not a valid quantity (e.g. "4", "500m", "8Gi")`);
    }
    if (amount <= 0n) throw new InputError(join(path, key), `must be positive, got "${text}"`);
    out[key] = text;
  }
  return out;
}

function resolveLabels(value: unknown, path: string): Record<string, string> {
  const labels = stringMap(value, path);
  for (const [key, v] of Object.entries(labels)) {
    const keyProblems = isQualifiedName(key);
    if (keyProblems.length > 0) throw new InputError(join(path, key), `invalid label key: ${keyProblems.join('; ')}`);
    const valueProblems = isValidLabelValue(v);
    if (valueProblems.length > 0) throw new InputError(join(path, key), `invalid label value "${v}": ${valueProblems.join('; ')}`);
  }
  return labels;
}

const EFFECTS = ['NoSchedule', 'PreferNoSchedule', 'NoExecute'] as const;

function resolveTaints(value: unknown, path: string): Taint[] {
  return list(value, path).map((entry, i) => {
    const where = join(path, i);
    // `key=value:Effect` as `kubectl taint` takes it, or the Taint object.
    if (typeof entry === 'string') return parseTaint(entry, where);
    const t = object(entry, where);
    onlyKeys(t, ['key', 'value', 'effect'], where);
    const taint: Taint = { key: string(t.key, join(where, 'key')), effect: oneOf(t.effect, EFFECTS, join(where, 'effect')) };
    if (t.value !== undefined) taint.value = String(t.value);
    return taint;
  });
}

function parseTaint(text: string, path: string): Taint {
  const match = /^([^=:]+)(?:=([^:]*))?:(\w+)$/.exec(text);
  if (!match) throw new InputError(path, `"${text}" is not a taint; write key=value:Effect or key:Effect`);
  const effect = oneOf(match[3], EFFECTS, path);
  return match[2] === undefined ? { key: match[1], effect } : { key: match[1], value: match[2], effect };
}

function resolveRegistry(value: unknown, path: string): RegistryConfig {
  const registry = object(value, path);
  onlyKeys(registry, ['images', 'missingTags', 'hosts'], path);
  const out: { images?: Record<string, { pullMs?: number; sizeBytes?: number }>; missingTags?: string[]; hosts?: string[] } = {};
  if (registry.images !== undefined) {
    const images = object(registry.images, join(path, 'images'));
    out.images = {};
    for (const [image, config] of Object.entries(images)) {
      const where = join(join(path, 'images'), image);
      const c = object(config ?? {}, where);
      onlyKeys(c, ['pullMs', 'sizeBytes'], where);
      out.images[image] = {
        ...(c.pullMs !== undefined ? { pullMs: number(c.pullMs, join(where, 'pullMs'), 0) } : {}),
        ...(c.sizeBytes !== undefined ? { sizeBytes: number(c.sizeBytes, join(where, 'sizeBytes'), 0) } : {}),
      };
    }
  }
  if (registry.missingTags !== undefined) out.missingTags = list(registry.missingTags, join(path, 'missingTags')).map((t, i) => string(t, join(join(path, 'missingTags'), i)));
  if (registry.hosts !== undefined) out.hosts = list(registry.hosts, join(path, 'hosts')).map((h, i) => string(h, join(join(path, 'hosts'), i)));
  return out;
}

/** A link model; `latency` may be written `2ms`, `1-3ms`, or the Latency object. */
export function resolveLink(value: unknown, path: string): Partial<LinkModel> {
  const link = object(value, path);
  onlyKeys(link, ['latency', 'drop', 'duplicate', 'reorder'], path);
  const out: Partial<LinkModel> = {};
  if (link.latency !== undefined) out.latency = resolveLatency(link.latency, join(path, 'latency'));
  if (link.drop !== undefined) out.drop = number(link.drop, join(path, 'drop'), 0, 1);
  if (link.duplicate !== undefined) out.duplicate = number(link.duplicate, join(path, 'duplicate'), 0, 1);
  if (link.reorder !== undefined) out.reorder = boolean(link.reorder, join(path, 'reorder'));
  return out;
}

function resolveLatency(value: unknown, path: string): Latency {
  if (typeof value === 'number') return { kind: 'constant', ms: number(value, path, 0) };
  if (typeof value === 'string') {
    const range = /^\s*(\d+(?:\.\d+)?)\s*(?:-\s*(\d+(?:\.\d+)?))?\s*ms\s*$/.exec(value);
    if (!range) throw new InputError(path, `"${value}" is not a latency; write e.g. "2ms" or "1-3ms"`);
    const min = Number(range[1]);
    if (range[2] === undefined) return { kind: 'constant', ms: min };
    const max = Number(range[2]);
    if (max < min) throw new InputError(path, `range "${value}" ends before it starts`);
    return { kind: 'uniform', minMs: min, maxMs: max };
  }
  const l = object(value, path);
  const kind = oneOf(l.kind, ['constant', 'uniform', 'exponential', 'normal'] as const, join(path, 'kind'));
  const n = (key: string) => number(l[key], join(path, key), 0);
  switch (kind) {
    case 'constant':
      onlyKeys(l, ['kind', 'ms'], path);
      return { kind, ms: n('ms') };
    case 'uniform': {
      onlyKeys(l, ['kind', 'minMs', 'maxMs'], path);
      const [minMs, maxMs] = [n('minMs'), n('maxMs')];
      if (maxMs < minMs) throw new InputError(join(path, 'maxMs'), 'must be at least minMs');
      return { kind, minMs, maxMs };
    }
    case 'exponential':
      onlyKeys(l, ['kind', 'meanMs', 'minMs'], path);
      return { kind, meanMs: n('meanMs'), ...(l.minMs !== undefined ? { minMs: n('minMs') } : {}) };
    case 'normal':
      onlyKeys(l, ['kind', 'meanMs', 'stddevMs', 'minMs'], path);
      return { kind, meanMs: n('meanMs'), stddevMs: n('stddevMs'), ...(l.minMs !== undefined ? { minMs: n('minMs') } : {}) };
  }
}

function resolveComponents(value: unknown, path: string, apiservers: number): ComponentSettings {
  if (value === undefined) return {};
  const c = object(value, path);
  onlyKeys(c, ['apiserver', 'controllerManager', 'scheduler', 'kubelet', 'kubeProxyMode', 'coredns', 'cloudControllerManager'], path);
  const out: ComponentSettings = {};
  for (const key of ['apiserver', 'controllerManager', 'scheduler', 'kubelet'] as const) {
    if (c[key] !== undefined) (out as Record<string, unknown>)[key] = object(c[key], join(path, key));
  }
  for (const key of ['controllerManager', 'scheduler'] as const) {
    const target = (out[key] as { apiserver?: unknown } | undefined)?.apiserver;
    if (target === undefined) continue;
    const known = Array.from({ length: apiservers }, (_, i) => `apiserver-${i}`);
    oneOf(target, known, join(join(path, key), 'apiserver'));
  }
  for (const key of ['controllerManager', 'scheduler'] as const) {
    const settings = out[key] as Obj | undefined;
    if (settings?.replicas !== undefined) settings.replicas = integer(settings.replicas, join(join(path, key), 'replicas'), 1, LIMITS.controlPlaneReplicas);
  }
  if (c.kubeProxyMode !== undefined) out.kubeProxyMode = oneOf(c.kubeProxyMode, ['iptables', 'ipvs'] as const, join(path, 'kubeProxyMode'));
  for (const key of ['coredns', 'cloudControllerManager'] as const) if (c[key] !== undefined) out[key] = boolean(c[key], join(path, key));
  return out;
}
