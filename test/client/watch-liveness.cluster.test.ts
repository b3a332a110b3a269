// Watch liveness in a running cluster: every informer-using component shares one HTTP/2 health check per
// apiserver connection (client-go: ping after 30 s without a frame read, 15 s ping timeout). A quiet
// healthy connection gets at most one ping per 30 s, however many informers ride on it; a component cut
// off from its apiserver silently (messages dropped, no error) gives the connection up 45 s after its
// last read and relists — not before — and catches up once the partition heals.
import type { Service } from 'kubernetes-types/core/v1.js';
import { describe, expect, it } from 'vitest';
import type { ApiRequestMessage } from '../../src/apiserver/protocol.ts';
import { buildCluster, type Cluster } from '../../src/cluster/index.ts';
import { storeGet, type InformerState, type KubeObject } from '../../src/client/index.ts';

const APISERVER = 'apiserver-0';
const COMPONENTS = ['kcm-0', 'scheduler-0', 'coredns-0', 'ccm-0', 'node-1/kube-proxy'] as const;

function smallCluster(seed: number, leaderElect = true): Cluster {
  const leaderElection = { leaderElect };
  return buildCluster({
    etcd: { members: 1 }, apiservers: 1, nodes: { count: 1 },
    components: { scheduler: { leaderElection }, controllerManager: { leaderElection } },
  }, { seed });
}

interface Sent { readonly at: number; readonly from: string; readonly to: string; readonly message: { type: string; requestId?: string; code?: number } }

/** Every message sent and every one the apiserver's clients read, and when each last read one. */
function tapBus(cluster: Cluster): { sent: Sent[]; read: Sent[]; lastRead: Map<string, number> } {
  const sent: Sent[] = [];
  const read: Sent[] = [];
  const lastRead = new Map<string, number>();
  cluster.sim.bus.tap.subscribe((e) => {
    const s = { at: e.at, from: e.envelope.from, to: e.envelope.to, message: e.envelope.message as { type: string } };
    if (e.kind === 'send') sent.push(s);
    else if (e.kind === 'deliver' && e.envelope.from === APISERVER) {
      read.push(s);
      lastRead.set(e.envelope.to, e.at);
    }
  });
  return { sent, read, lastRead };
}

const isList = (s: Sent) => s.message.type === 'api.request' && (s.message as ApiRequestMessage).request.verb === 'list';

/** A component's informers, whatever its context calls them. */
function informersOf(cluster: Cluster, address: string): InformerState<KubeObject>[] {
  const context = cluster.sim.host(address).snapshot()!.context as Record<string, { informers?: Record<string, InformerState<KubeObject>> }>;
  const holder = Object.values(context).find((v) => typeof v === 'object' && v !== null && 'informers' in v)!;
  return Object.values(holder.informers!).filter((i) => i.phase !== 'stopped');
}

describe('watch liveness: one health check per apiserver connection', () => {
  it('a quiet healthy connection gets at most one ping per 30 s per component, not one per informer', () => {
    const cluster = smallCluster(1).start({ recordEvents: false });
    const { sent } = tapBus(cluster);
    const from = cluster.now;
    cluster.sim.runFor(300_000);
    const probes = sent.filter((s) => s.message.type === 'health.probe' && s.to === APISERVER && s.at >= from);
    for (const component of COMPONENTS) {
      const times = probes.filter((p) => p.from === component).map((p) => p.at);
      for (let i = 1; i < times.length; i++) expect(times[i] - times[i - 1], component).toBeGreaterThanOrEqual(30_000);
    }
    // The add-ons' watches are quiet for minutes (the controller-manager and scheduler renew their Leases
    // every 2 s, so their connection is never idle): they ping, about once per 30 s.
    for (const component of ['coredns-0', 'node-1/kube-proxy']) {
      const count = probes.filter((p) => p.from === component).length;
      expect(count, component).toBeGreaterThanOrEqual(5);
      expect(count, component).toBeLessThanOrEqual(10);
    }
    // Every ping was answered: no watch was given up on a healthy cluster.
    for (const component of COMPONENTS) {
      for (const informer of informersOf(cluster, component)) expect(informer.stats.stalls, `${component} ${informer.name}`).toBe(0);
    }
  });

  it('a component partitioned from its apiserver relists 45 s after its last read (not before) and catches up after the heal', () => {
    // Without leader election, so the controller-manager and scheduler stay up (they would exit when their
    // Lease renewals failed) and their connections go quiet too.
    const cluster = smallCluster(2, false);
    // Tapped from the start: a component may have read nothing from the apiserver for a while.
    const { sent, read, lastRead } = tapBus(cluster);
    cluster.start({ recordEvents: false });
    cluster.sim.runFor(20_000);
    const cutAt = cluster.now;
    cluster.sim.partition({ id: 'cut', from: [...COMPONENTS], to: [APISERVER], oneWay: false });
    const lastReadAt = new Map(COMPONENTS.map((c) => [c, lastRead.get(c)!]));
    cluster.apply('apiVersion: v1\nkind: Service\nmetadata: { name: during-cut, namespace: default }\nspec: { ports: [{ port: 80 }] }\n');
    cluster.sim.runFor(100_000);
    for (const component of COMPONENTS) {
      const tL = lastReadAt.get(component)!;
      const mine = sent.filter((s) => s.from === component && s.at > cutAt);
      const probes = mine.filter((s) => s.message.type === 'health.probe');
      const lists = mine.filter(isList);
      expect(probes[0]?.at, `${component} pings after 30 s idle`).toBe(tL + 30_000);
      // No answer within the 15 s ping timeout: the connection closes, ending every watch on it at once…
      const cancels = mine.filter((s) => s.message.type === 'api.watch.cancel');
      expect(cancels.length, component).toBeGreaterThan(0);
      expect(Math.min(...cancels.map((s) => s.at)), `${component} gives the connection up`).toBe(tL + 45_000);
      // …and each reflector relists after its back-off (800 ms, doubled if it backed off in the last 2 min).
      expect(lists.length, component).toBeGreaterThan(0);
      const firstRelist = Math.min(...lists.map((s) => s.at));
      expect(firstRelist, `${component} relists`).toBeGreaterThanOrEqual(tL + 45_800);
      expect(firstRelist, `${component} relists`).toBeLessThanOrEqual(tL + 45_000 + 3_200);
      // One ping per connection, not per informer.
      expect(probes.filter((p) => p.at < tL + 45_000)).toHaveLength(1);
    }
    cluster.sim.heal('cut');
    const healedAt = cluster.now;
    cluster.sim.runFor(70_000);
    // Lists lost in the partition are retried when they time out (60 s); the connection is checked anew.
    for (const component of COMPONENTS) {
      const listed = read.filter((r) => r.to === component && r.at >= healedAt && r.message.type === 'api.response' &&
        /\/list-\d+$/.test(r.message.requestId ?? '') && r.message.code === 200);
      expect(listed.length, `${component} relisted after the heal`).toBeGreaterThan(0);
      for (const informer of informersOf(cluster, component)) expect(informer.hasSynced, `${component} ${informer.name}`).toBe(true);
    }
    // What changed during the partition is there.
    for (const component of ['coredns-0', 'node-1/kube-proxy', 'kcm-0']) {
      const services = informersOf(cluster, component).find((i) => i.name === 'services')!;
      expect(storeGet(services.store, 'default/during-cut') as Service | undefined, component).toBeDefined();
    }
  });
});
