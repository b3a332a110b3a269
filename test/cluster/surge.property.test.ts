// Cluster-level property: during rollouts, a Deployment never has more than replicas + maxSurge pods
// (active, owned by its ReplicaSets) — on a whole cluster (etcd, apiserver, scheduler, kubelets) whose
// watches lag and duplicate as fast-check generates: the links from the etcd members to the apiserver's
// etcd client (a watch stream and the unary Txn answers are separate gRPC streams, so with `reorder` a
// watch event can trail the answer to the write that caused it by hundreds of ms) and the link from the
// apiserver to the controller-manager (FIFO: one HTTP/2 connection). Checked at every committed state of
// the pods, through an unimpaired watch. With the ReplicaSet controller's expectations removed (the
// planted bug) the check fails.
//
// As in test/controllers/property.test.ts, rollouts start from a settled Deployment: upstream bounds
// maxSurge on the ReplicaSets' spec.replicas, and a scale change or an eviction during a rollout can
// exceed it on pods in a real cluster too (docs/controllers.md).
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import type { Deployment } from 'kubernetes-types/apps/v1.js';
import type { LinkModel } from '../../src/bus/network.ts';
import { buildCluster, type Cluster } from '../../src/cluster/index.ts';
import { resolveFenceposts } from '../../machines/controller-manager/deployment/util.ts';
import type { Plant } from '../../machines/controller-manager/config.ts';
import { numRuns } from '../fc.ts';
import { RolloutObserver } from './rollout-observer.ts';

const RUNS = numRuns(6);
const TIMEOUT_MS = Math.max(180_000, RUNS * 20_000);
/**
 * The plant's run is pinned: with fast-check's random seed it was missed now and then within 6 runs (CI
 * failed on it once). Measured 2026-11-21, runs to catch for seeds 1–12: 1, 5, 5, 4, 4, 3, 4, 2, 1, 1, 1, 1.
 */
const PLANT_SEED = 1;

interface Scenario {
  seed: number;
  replicas: number;
  maxSurge: number | string;
  maxUnavailable: number | string;
  /** etcd members → the apiserver's etcd client: watch streams and Txn answers. */
  etcdLink: Partial<LinkModel>;
  /** The apiserver → controller-manager link: watch events and answers, in order. */
  kcmLink: Partial<LinkModel>;
  rollouts: number;
}

const latencyArb = fc.constantFrom<LinkModel['latency']>(
  { kind: 'uniform', minMs: 1, maxMs: 3 },
  { kind: 'uniform', minMs: 0, maxMs: 400 },
  { kind: 'uniform', minMs: 0, maxMs: 800 },
  { kind: 'exponential', meanMs: 150, minMs: 1 },
);

const etcdLinkArb: fc.Arbitrary<Partial<LinkModel>> = fc.record({
  latency: latencyArb,
  duplicate: fc.constantFrom(0, 0.1, 0.3),
  reorder: fc.boolean(),
});

const kcmLinkArb: fc.Arbitrary<Partial<LinkModel>> = fc.record({
  latency: latencyArb,
  duplicate: fc.constantFrom(0, 0.1, 0.3),
  reorder: fc.constant(false),
});

const scenarioArb: fc.Arbitrary<Scenario> = fc.record({
  seed: fc.integer({ min: 1, max: 1_000_000 }),
  replicas: fc.integer({ min: 1, max: 6 }),
  maxSurge: fc.constantFrom<number | string>(0, 1, 2, '25%', '50%'),
  maxUnavailable: fc.constantFrom<number | string>(0, 1, '25%', '50%'),
  etcdLink: etcdLinkArb,
  kcmLink: kcmLinkArb,
  rollouts: fc.integer({ min: 1, max: 3 }),
}).filter((s) => s.maxSurge !== 0 || s.maxUnavailable !== 0); // the API rejects both 0


function manifest(s: Scenario, image: string): string {
  return `apiVersion: apps/v1
kind: Deployment
metadata: { name: web }
spec:
  replicas: ${s.replicas}
  strategy:
    type: RollingUpdate
    rollingUpdate: { maxSurge: ${JSON.stringify(s.maxSurge)}, maxUnavailable: ${JSON.stringify(s.maxUnavailable)} }
  selector: { matchLabels: { app: web } }
  template:
    metadata: { labels: { app: web } }
    spec: { containers: [{ name: nginx, image: "${image}" }] }
`;
}

function settled(cluster: Cluster, replicas: number, observer: RolloutObserver): boolean {
  const d = cluster.get<Deployment & { metadata: object }>('deployments', 'web', 'default');
  const s = d?.status ?? {};
  const census = observer.census();
  return (s.observedGeneration ?? 0) >= (d?.metadata?.generation ?? 1) && s.updatedReplicas === replicas &&
    s.availableReplicas === replicas && s.replicas === replicas && census.active === replicas && census.available === replicas;
}

class BoundExceeded extends Error {}

/** Runs until the rollout settles; throws as soon as the bound is crossed. */
function waitSettled(cluster: Cluster, s: Scenario, observer: RolloutObserver, timeoutMs = 120_000): void {
  const deadline = cluster.now + timeoutMs;
  for (;;) {
    const v = observer.surgeViolation;
    if (v) throw new BoundExceeded(`${v.active} pods at ${(v.at / 1000).toFixed(3)} s, bound ${observer.bounds.maxPods}`);
    if (settled(cluster, s.replicas, observer)) return;
    if (cluster.now >= deadline) throw new Error(`not settled after ${timeoutMs / 1000}s: ${JSON.stringify(observer.census())}`);
    cluster.runFor(500);
  }
}

function runScenario(s: Scenario, plant?: Plant): void {
  const cluster = buildCluster({
    nodes: { count: 3 },
    components: plant ? { controllerManager: { plant } } : {},
  }, { seed: s.seed }).start({ recordEvents: false });
  const observer = new RolloutObserver(cluster, 'web');
  const [surge] = resolveFenceposts(s.maxSurge, s.maxUnavailable, s.replicas);
  cluster.apply(manifest(s, 'nginx:1.20'));
  waitSettled(cluster, s, observer);
  for (const member of cluster.etcdMembers) cluster.sim.network.addLayer(`lag-${member}`, member, 'apiserver-0/etcd', s.etcdLink);
  cluster.sim.network.addLayer('lag-kcm', 'apiserver-0', 'kcm-0', s.kcmLink);
  for (let i = 1; i <= s.rollouts; i++) {
    observer.setBounds({ maxPods: s.replicas + surge });
    cluster.setImage('deployment/web', { nginx: `nginx:1.2${i}` });
    waitSettled(cluster, s, observer, 300_000);
  }
  observer.stop();
  cluster.stop();
}

describe('a Deployment\'s pods stay within replicas + maxSurge on a whole cluster with lagging watches (property)', () => {
  it('holds, checked at every committed state of the pods', () => {
    fc.assert(fc.property(scenarioArb, (s) => runScenario(s)), { numRuns: RUNS });
  }, TIMEOUT_MS);

  it('fails with the planted bug rs-no-expectations', () => {
    const lagging = scenarioArb.map((s): Scenario => ({
      ...s, replicas: Math.max(3, s.replicas), etcdLink: { latency: { kind: 'uniform', minMs: 0, maxMs: 600 }, duplicate: 0, reorder: true },
    }));
    let failure: unknown;
    try {
      fc.assert(fc.property(lagging, (s) => runScenario(s, 'rs-no-expectations')), { numRuns: RUNS, endOnFailure: true, seed: PLANT_SEED });
    } catch (error) {
      failure = error;
    }
    expect(failure).toBeInstanceOf(Error);
    expect((failure as Error).cause).toBeInstanceOf(BoundExceeded);
  }, TIMEOUT_MS);
});
