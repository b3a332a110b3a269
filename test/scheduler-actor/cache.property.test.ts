// The scheduler cache (machines/scheduler/cache.ts) rebuilds only the NodeInfos that changed; after any
// generated sequence of node and pod events, assumptions, forgets and confirmations, its snapshot must
// equal the core's buildSnapshot over the same nodes (in nodeTree order), bound pods and assumed pods.
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import type { Node, Pod } from 'kubernetes-types/core/v1.js';
import { SchedulerCache } from '../../machines/scheduler/cache.ts';
import { NodeTree } from '../../machines/scheduler/node-tree.ts';
import { buildSnapshot, type Snapshot } from '../../src/scheduler/index.ts';
import { numRuns } from '../fc.ts';

const NODES = 3;
const PODS = 3;

function node(i: number, v: { zone?: string; cpu: number; image?: boolean }): Node {
  return {
    metadata: { name: `n${i}`, labels: { 'kubernetes.io/hostname': `n${i}`, ...(v.zone ? { 'topology.kubernetes.io/zone': v.zone } : {}) } },
    status: {
      allocatable: { cpu: String(v.cpu), memory: '4Gi', pods: '10' },
      ...(v.image ? { images: [{ names: ['nginx:1.27'], sizeBytes: 50_000_000 }] } : {}),
    },
  };
}

function pod(i: number, cpuMilli: number, nodeName?: string): Pod {
  return {
    metadata: { name: `p${i}`, namespace: 'default', uid: `u${i}` },
    spec: { containers: [{ name: 'c', image: 'nginx:1.27', resources: { requests: { cpu: `${cpuMilli}m` } } }], ...(nodeName ? { nodeName } : {}) },
  };
}

const nodeVersionArb = fc.record({ zone: fc.constantFrom(undefined, 'a', 'b'), cpu: fc.integer({ min: 1, max: 8 }), image: fc.boolean() });
const opArb = fc.oneof(
  fc.record({ op: fc.constant('putNode' as const), i: fc.integer({ min: 0, max: NODES - 1 }), v: nodeVersionArb }),
  fc.record({ op: fc.constant('removeNode' as const), i: fc.integer({ min: 0, max: NODES - 1 }) }),
  fc.record({ op: fc.constant('bindPod' as const), i: fc.integer({ min: 0, max: PODS - 1 }), n: fc.integer({ min: 0, max: NODES }), cpu: fc.integer({ min: 1, max: 900 }) }),
  fc.record({ op: fc.constant('removePod' as const), i: fc.integer({ min: 0, max: PODS - 1 }) }),
  fc.record({ op: fc.constant('assume' as const), i: fc.integer({ min: 0, max: PODS - 1 }), n: fc.integer({ min: 0, max: NODES - 1 }), cpu: fc.integer({ min: 1, max: 900 }) }),
  fc.record({ op: fc.constant('forget' as const), i: fc.integer({ min: 0, max: PODS - 1 }) }),
  // Snapshots in between: stale NodeInfos only show if something was computed before the change.
  { arbitrary: fc.record({ op: fc.constant('snapshot' as const) }), weight: 4 },
);
type Op = typeof opArb extends fc.Arbitrary<infer T> ? T : never;

function summary(s: Snapshot) {
  return s.nodes.map((n) => ({
    name: n.name,
    cpu: n.requested.milliCPU,
    pods: n.pods.map((p) => p.key).sort(),
    assumed: [...n.assumedPodKeys].sort(),
    images: [...n.imageStates.entries()],
    allocatable: n.allocatable.milliCPU,
  }));
}

/** Applies the operations to the cache and to plain maps, comparing snapshots (expect) along the way. */
function compare(ops: readonly Op[], make: () => SchedulerCache): void {
    const cache = make();
    const tree = new NodeTree();
    const nodes = new Map<string, Node>();
    const bound = new Map<string, Pod>();
    const assumed = new Map<string, Pod>();
    const check = () => {
      const ordered = tree.list().map((name) => nodes.get(name)!);
      expect(summary(cache.snapshot())).toEqual(summary(buildSnapshot({ nodes: ordered, pods: [...bound.values()], assumedPods: [...assumed.values()] })));
    };
    for (const o of ops) {
      switch (o.op) {
        case 'putNode': {
          const n = node(o.i, o.v);
          if (nodes.has(`n${o.i}`)) {
            cache.updateNode(n);
            tree.update(n);
          } else {
            cache.addNode(n);
            tree.add(n);
          }
          nodes.set(`n${o.i}`, n);
          break;
        }
        case 'removeNode':
          cache.removeNode(`n${o.i}`);
          tree.remove(`n${o.i}`);
          nodes.delete(`n${o.i}`);
          break;
        case 'bindPod': {
          // The informer shows it bound (n = NODES: to a node the cache does not know).
          const p = pod(o.i, o.cpu, `n${o.n}`);
          cache.addPod(p);
          bound.set(`p${o.i}`, p);
          assumed.delete(`p${o.i}`);
          break;
        }
        case 'removePod':
          cache.removePod(pod(o.i, 1));
          bound.delete(`p${o.i}`);
          assumed.delete(`p${o.i}`);
          break;
        case 'assume': {
          const p = pod(o.i, o.cpu, `n${o.n}`);
          const refused = cache.assumePod(p);
          expect(refused === undefined).toBe(!bound.has(`p${o.i}`) && !assumed.has(`p${o.i}`));
          if (refused === undefined) assumed.set(`p${o.i}`, p);
          break;
        }
        case 'forget': {
          const p = assumed.get(`p${o.i}`) ?? pod(o.i, 1);
          const refused = cache.forgetPod(p);
          expect(refused === undefined).toBe(assumed.has(`p${o.i}`));
          assumed.delete(`p${o.i}`);
          break;
        }
        case 'snapshot':
          check();
          break;
      }
    }
    check();
}

/** A planted bug: deleted pods are never dropped from the cache. */
class LeakyCache extends SchedulerCache {
  override removePod(): void {}
}

const opsArb = fc.array(opArb, { maxLength: 50 });

describe('scheduler cache', () => {
  it('its incremental snapshot equals a snapshot built from scratch', () => {
    fc.assert(fc.property(opsArb, (ops) => compare(ops, () => new SchedulerCache(() => undefined))), { numRuns: numRuns(300) });
  });

  it('planted bug: a cache that keeps deleted pods is told apart', () => {
    const outcome = fc.check(fc.property(opsArb, (ops) => compare(ops, () => new LeakyCache(() => undefined))), { numRuns: 300, seed: 11 });
    expect(outcome.failed).toBe(true);
  });

  it('lists nodes zone by zone in round robin, as the nodeTree does', () => {
    const tree = new NodeTree();
    const zoned = (name: string, zone?: string): Node => ({ metadata: { name, labels: zone ? { 'topology.kubernetes.io/zone': zone } : {} } });
    for (const [name, zone] of [['a1', 'a'], ['a2', 'a'], ['b1', 'b'], ['a3', 'a'], ['c1', 'c'], ['b2', 'b']] as const) tree.add(zoned(name, zone));
    expect(tree.list()).toEqual(['a1', 'b1', 'c1', 'a2', 'b2', 'a3']);
    tree.remove('b1');
    expect(tree.list()).toEqual(['a1', 'b2', 'c1', 'a2', 'a3']);
    expect(tree.update(zoned('a1', 'c'))).toBe(true);
    expect(tree.list()).toEqual(['a2', 'b2', 'c1', 'a3', 'a1']);
  });
});
