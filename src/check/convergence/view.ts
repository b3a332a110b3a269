// A snapshot of a whole cluster as plain data: what the convergence checker and the safety invariants
// read. It is built from outside the components (the stored objects, which nodes are up, the rules each
// node's kernel holds), never from a controller's caches, so a checker judges the cluster the way a user
// would, not the way the code under test believes it is.
import type { DaemonSet, Deployment, ReplicaSet } from 'kubernetes-types/apps/v1.js';
import type { Job } from 'kubernetes-types/batch/v1.js';
import type { Lease } from 'kubernetes-types/coordination/v1.js';
import type { Endpoints, Node, Pod, Service } from 'kubernetes-types/core/v1.js';
import type { EndpointSlice } from 'kubernetes-types/discovery/v1.js';
import { parseKey, resourceForObject } from '../../api/resources.ts';
import type { NodeRules } from '../../network/kernel.ts';

/** The resources the checkers read, by REST plural, with their object types. */
export interface CheckedResources {
  nodes: Node;
  pods: Pod;
  services: Service;
  endpoints: Endpoints;
  endpointslices: EndpointSlice;
  deployments: Deployment;
  replicasets: ReplicaSet;
  daemonsets: DaemonSet;
  jobs: Job;
  leases: Lease;
}

export type CheckedResource = keyof CheckedResources;

/** Any stored object: apiVersion/kind are optional (etcd values carry them, informer caches may not). */
export interface StoredObject {
  apiVersion?: string;
  kind?: string;
  metadata?: { name?: string; namespace?: string; uid?: string };
}

export interface ClusterView {
  /** Virtual time of the snapshot, in ms since KUBESIM_EPOCH_MS. */
  readonly time: number;
  /** Every stored object by resource plural ("pods", "deployments", …); other resources may appear too. */
  readonly objects: { readonly [R in CheckedResource]: readonly CheckedResources[R][] } & Readonly<Record<string, readonly StoredObject[]>>;
  /**
   * Nodes that are up: their kubelet runs and can reach the control plane. A node that is not live may
   * still have a Node object (until someone deletes it); a live node may not have one yet.
   */
  readonly liveNodes: ReadonlySet<string>;
  /** Each node's kernel rules as its kube-proxy last wrote them (undefined: never written). */
  readonly rules: Readonly<Record<string, NodeRules | undefined>>;
}

export interface ViewOptions {
  readonly time: number;
  /** Default: every node that has a Node object. */
  readonly liveNodes?: Iterable<string>;
  readonly rules?: Readonly<Record<string, NodeRules | undefined>>;
}

const CHECKED: readonly CheckedResource[] = [
  'nodes', 'pods', 'services', 'endpoints', 'endpointslices', 'deployments', 'replicasets', 'daemonsets', 'jobs', 'leases',
];

function emptyObjects(): Record<string, StoredObject[]> {
  return Object.fromEntries(CHECKED.map((r) => [r, []]));
}

function finish(objects: Record<string, StoredObject[]>, opts: ViewOptions): ClusterView {
  const nodeNames = objects.nodes.map((n) => n.metadata?.name ?? '');
  return {
    time: opts.time,
    objects: objects as unknown as ClusterView['objects'],
    liveNodes: new Set(opts.liveNodes ?? nodeNames),
    rules: opts.rules ?? {},
  };
}

/**
 * A view from objects that carry apiVersion and kind (as the apiserver stores and serves them). Objects
 * of kinds the model does not serve are kept under their lower-cased kind.
 */
export function fromObjects(list: Iterable<StoredObject>, opts: ViewOptions): ClusterView {
  const objects = emptyObjects();
  for (const obj of list) {
    const plural = resourceForObject(obj)?.plural ?? (obj.kind ?? 'unknown').toLowerCase();
    (objects[plural] ??= []).push(obj);
  }
  return finish(objects, opts);
}

/** A view from lists already grouped by resource plural (e.g. one list per informer). */
export function fromResourceLists(lists: Partial<{ [R in CheckedResource]: readonly CheckedResources[R][] }> & Record<string, readonly StoredObject[] | undefined>, opts: ViewOptions): ClusterView {
  const objects = emptyObjects();
  for (const [plural, list] of Object.entries(lists)) if (list) objects[plural] = [...list];
  return finish(objects, opts);
}

/**
 * A view from etcd's key space: `/registry/<resource>/<namespace>/<name>` → the JSON value the apiserver
 * stored. Keys outside the registry and values that do not parse are skipped.
 */
export function fromRegistryEntries(entries: Iterable<{ readonly key: string; readonly value: string | object }>, opts: ViewOptions): ClusterView {
  const objects = emptyObjects();
  for (const { key, value } of entries) {
    const parsed = parseKey(key);
    if (!parsed) continue;
    let obj: StoredObject;
    try {
      obj = (typeof value === 'string' ? JSON.parse(value) : value) as StoredObject;
    } catch {
      continue;
    }
    (objects[parsed.resource.plural] ??= []).push(obj);
  }
  return finish(objects, opts);
}

/** "Deployment default/web", "Node node-1": how every violation names an object. */
export function describeObject(kind: string, obj: StoredObject | undefined): string {
  const ns = obj?.metadata?.namespace;
  const name = obj?.metadata?.name ?? '?';
  return `${kind} ${ns ? `${ns}/${name}` : name}`;
}
