// The scheduler actor against a minimal apiserver stand-in (stub-apiserver.ts): fast checks of the paths
// the real apiserver rarely takes on its own — lost bindings, cordons, other schedulers' pods.
import { describe, expect, it } from 'vitest';
import type { Node, Pod } from 'kubernetes-types/core/v1.js';
import type { SchedulerState } from '../../machines/scheduler/scheduler.ts';
import { hostScheduler } from '../../src/cluster/hosts/scheduler.ts';
import { Simulation } from '../../src/host/simulation.ts';
import type { ComponentHost } from '../../src/host/component-host.ts';
import { nodeObject, podObject, type NodeOptions, type PodOptions } from './harness.ts';
import { stubApiserverMachine, type StubContext } from './stub-apiserver.ts';

class StubCluster {
  readonly sim = new Simulation({ seed: 3, link: { latency: { kind: 'constant', ms: 1 } } });
  readonly api: ComponentHost;
  readonly scheduler: ComponentHost;

  constructor(nodes: Node[], o: { dropBinds?: number; requestTimeoutMs?: number } = {}) {
    this.api = this.sim.add('apiserver-0', stubApiserverMachine, { objects: { nodes, namespaces: [{ metadata: { name: 'default' } }] }, dropBinds: o.dropBinds });
    this.scheduler = hostScheduler(this.sim, 'scheduler-0', { apiserver: 'apiserver-0', config: { requestTimeoutMs: o.requestTimeoutMs } });
    this.sim.runFor(10);
  }

  stub(): StubContext {
    return this.api.snapshot()!.context as StubContext;
  }

  state(): SchedulerState {
    return (this.scheduler.snapshot()!.context as { scheduler: SchedulerState }).scheduler;
  }

  put(resource: string, object: Node | Pod): void {
    this.api.send({ type: 'stub.put', resource, object });
  }

  addPod(name: string, o: PodOptions = {}): void {
    this.put('pods', podObject(name, o));
  }

  pod(name: string): Pod {
    return this.stub().objects.pods.get(`default/${name}`) as Pod;
  }

  node(name: string): Node {
    return this.stub().objects.nodes.get(name) as Node;
  }
}

const nodes = (n: number, o: NodeOptions = {}) => Array.from({ length: n }, (_, i) => nodeObject(`node-${i + 1}`, o));

describe('scheduler actor (against a stub apiserver)', () => {
  it('spreads a stream of pods evenly and binds each once', () => {
    const c = new StubCluster(nodes(10));
    for (let i = 0; i < 200; i++) c.addPod(`web-${i}`, { cpu: '100m', memory: '64Mi' });
    c.sim.runFor(1_000);
    const counts = new Map<string, number>();
    for (const p of c.stub().objects.pods.values() as Iterable<Pod>) counts.set(p.spec!.nodeName!, (counts.get(p.spec!.nodeName!) ?? 0) + 1);
    expect([...counts.values()]).toEqual(Array(10).fill(20));
    expect(c.stub().binds).toBe(200);
    expect(c.stub().conflicts).toBe(0);
    expect(c.state().cache.assumedPods()).toEqual([]);
  });

  it('leaves pods of another scheduler alone', () => {
    const c = new StubCluster(nodes(2));
    c.addPod('mine');
    c.addPod('theirs', { schedulerName: 'my-custom-scheduler' });
    c.sim.runFor(1_000);
    expect(c.pod('mine').spec?.nodeName).toBeDefined();
    expect(c.pod('theirs').spec?.nodeName).toBeUndefined();
    expect(c.state().queue.size).toBe(0);
  });

  it('a binding lost on the wire times out: the room is given back, and the pod is retried after its backoff', () => {
    const c = new StubCluster(nodes(1, { cpu: '1' }), { dropBinds: 1, requestTimeoutMs: 30_000 });
    c.addPod('web', { cpu: '800m' });
    c.sim.runFor(100);
    // Assumed on the only node while the binding is out: another pod of the same size does not fit.
    expect(c.state().cache.assumedPods().map((p) => p.metadata?.name)).toEqual(['web']);
    c.addPod('other', { cpu: '800m' });
    c.sim.runFor(100);
    expect(c.pod('other').spec?.nodeName).toBeUndefined();

    c.sim.runFor(30_000);
    // Timed out: forgotten, FailedScheduling, PodScheduled=False SchedulerError, back in the queue.
    const log = c.stub().log;
    expect(log.filter((l) => l === 'create pods binding web').length).toBeGreaterThanOrEqual(1);
    expect(log).toContain('patch pods status web');
    c.sim.runFor(15_000);
    // One of the two got the node; the other is waiting for room.
    const bound = ['web', 'other'].filter((n) => c.pod(n).spec?.nodeName);
    expect(bound).toHaveLength(1);
    expect(c.state().stats.bindFailures).toBe(1);
  });

  it('a cordoned node takes nothing; uncordoning it moves the waiting pod back at once', () => {
    const c = new StubCluster([nodeObject('node-1', { unschedulable: true })]);
    c.addPod('web');
    c.sim.runFor(1_000);
    expect(c.state().queue.queueOf(c.pod('web'))).toBe('unschedulablePods');
    c.put('nodes', { ...c.node('node-1'), spec: {} });
    c.sim.runFor(50);
    expect(c.pod('web').spec?.nodeName).toBe('node-1');
  });

  it('a gated pod waits until its scheduling gates are removed', () => {
    const c = new StubCluster(nodes(1));
    const gated = podObject('web');
    gated.spec!.schedulingGates = [{ name: 'example.com/quota' }];
    c.put('pods', gated);
    c.sim.runFor(1_000);
    expect(c.state().queue.queueOf(gated)).toBe('unschedulablePods');
    expect(c.state().stats.attempts).toBe(0);
    const released = c.pod('web');
    c.put('pods', { ...released, spec: { ...released.spec!, schedulingGates: [] } });
    c.sim.runFor(50);
    expect(c.pod('web').spec?.nodeName).toBe('node-1');
  });
});
