// Whole-cluster snapshots for the checkers, read from outside every component: the objects from etcd's
// applied key space (the running member that has applied the most), each node's kernel rules from its
// kube-proxy host's disk. Reading costs no simulated time and sends nothing, so a campaign can look after
// every virtual second without disturbing the run (listing through the API would run the simulation).
import type { Simulation } from '../../host/simulation.ts';
import { memberContext, memberStatus } from '../../../machines/etcd-member/view.ts';
import { RESOURCES } from '../../api/resources.ts';
import { fromResourceLists, type CheckedResource, type ClusterView, type StoredObject } from '../../check/convergence/view.ts';
import { readNodeRules } from '../../network/kernel.ts';

const CHECKED: readonly CheckedResource[] = [
  'nodes', 'pods', 'services', 'endpoints', 'endpointslices', 'deployments', 'replicasets', 'daemonsets', 'jobs', 'leases',
];

export class EtcdSnapshotter {
  /** key → the object parsed at that modRevision: most objects do not change between two snapshots. */
  private readonly parsed = new Map<string, { modRevision: number; object: StoredObject }>();
  private readonly prefixes: readonly { plural: CheckedResource; prefix: string }[];

  constructor(
    private readonly sim: Simulation,
    private readonly members: readonly string[],
    private readonly nodes: readonly string[],
  ) {
    this.prefixes = CHECKED.map((plural) => {
      const resource = RESOURCES.find((r) => r.plural === plural && r.etcdPrefix);
      if (!resource) throw new Error(`no etcd prefix for ${plural}`);
      return { plural, prefix: `${resource.etcdPrefix}/` };
    });
  }

  /** The cluster now; `liveNodes` default: every node. Undefined while no etcd member runs. */
  view(liveNodes: Iterable<string> = this.nodes): ClusterView | undefined {
    const kv = this.freshestStore();
    if (!kv) return undefined;
    const lists: Partial<Record<CheckedResource, StoredObject[]>> = {};
    const seen = new Set<string>();
    for (const { plural, prefix } of this.prefixes) {
      const response = kv.range({ key: prefix, prefix: true });
      if (!('kvs' in response)) continue;
      lists[plural] = response.kvs.map((entry) => {
        seen.add(entry.key);
        const cached = this.parsed.get(entry.key);
        if (cached && cached.modRevision === entry.modRevision) return cached.object;
        const object = JSON.parse(entry.value) as StoredObject;
        this.parsed.set(entry.key, { modRevision: entry.modRevision, object });
        return object;
      });
    }
    for (const key of this.parsed.keys()) if (!seen.has(key)) this.parsed.delete(key);
    const rules = Object.fromEntries(this.nodes.map((n) => [n, readNodeRules(this.sim, n)]));
    return fromResourceLists(lists as Parameters<typeof fromResourceLists>[0], { time: this.sim.now, liveNodes, rules });
  }

  /** The address of the replica holding Lease kube-system/`name` ("<address>_<uuid>"), if any. */
  leaseHolder(name: string): string | undefined {
    const response = this.freshestStore()?.range({ key: `/registry/leases/kube-system/${name}` });
    if (!response || !('kvs' in response) || response.kvs.length === 0) return undefined;
    const holder = (JSON.parse(response.kvs[0].value) as { spec?: { holderIdentity?: string } }).spec?.holderIdentity;
    return holder ? holder.slice(0, holder.lastIndexOf('_')) : undefined;
  }

  private freshestStore() {
    let best: { applied: number; kv: NonNullable<ReturnType<typeof memberContext>>['server']['kv'] } | undefined;
    for (const address of this.members) {
      if (!this.sim.has(address)) continue;
      const host = this.sim.host(address);
      if (host.status !== 'running') continue;
      const snapshot = host.snapshot();
      const status = memberStatus(snapshot);
      const ctx = memberContext(snapshot);
      if (!status || !ctx) continue;
      if (!best || status.applied > best.applied) best = { applied: status.applied, kv: ctx.server.kv };
    }
    return best?.kv;
  }
}
