import { describe, expect, it } from 'vitest';
import { containerRuntimeMachine } from '../../machines/container-runtime/container-runtime.machine.ts';
import { kubeletMachine } from '../../machines/kubelet/kubelet.machine.ts';
import { nodeConfigOf } from '../../src/cluster/hosts/node.ts';
import { core, del } from '../apiserver/harness.ts';
import { NodeHarness, nginxPod } from './harness.ts';

const RUNNING = (h: NodeHarness, name: string) => () => h.pod(name)?.status?.containerStatuses?.[0]?.ready === true;

describe('kubelet and container runtime actors under faults', () => {
  it('keeps containers across a kubelet crash and restart: same container, no restart counted, Node adopted', () => {
    const h = new NodeHarness();
    h.run(2_000);
    h.createPod(nginxPod('web'));
    expect(h.runUntil(RUNNING(h, 'web'), 30_000)).toBe(true);
    const before = h.pod('web')!.status!;
    const nodeUid = h.node()!.metadata!.uid;
    h.sim.crash('node-1/kubelet');
    h.run(20_000);
    // The runtime keeps running it while the kubelet is down.
    const running = Object.values(h.runtimeContext().runtime.snapshot.runtime.containers).filter((c) => c.state === 'running');
    expect(running.map((c) => `containerd://${c.id}`)).toEqual([before.containerStatuses![0].containerID]);
    h.sim.restart('node-1/kubelet');
    h.run(15_000);
    const after = h.pod('web')!.status!;
    expect(after.containerStatuses![0]).toMatchObject({ containerID: before.containerStatuses![0].containerID, restartCount: 0, ready: true });
    expect(after.startTime).toBe(before.startTime);
    expect(after.podIP).toBe(before.podIP);
    expect(h.node()!.metadata!.uid).toBe(nodeUid);
    expect(h.events('web').map((e) => e.reason)).toEqual(['Pulling', 'Pulled', 'Created', 'Started']);
    expect(h.kubeletContext().kubelet.node.phase).toBe('registered');
  });

  it('cleans up, after a restart, the containers of a pod force-deleted while the kubelet was down', () => {
    const h = new NodeHarness();
    h.run(2_000);
    const pod = h.createPod(nginxPod('web'));
    expect(h.runUntil(RUNNING(h, 'web'), 30_000)).toBe(true);
    h.sim.crash('node-1/kubelet');
    expect(h.call(del(core('pods'), 'default', 'web', { gracePeriodSeconds: 0 })).code).toBe(200);
    expect(h.pod('web')).toBeUndefined();
    h.run(5_000);
    const runtime = () => h.runtimeContext().runtime.snapshot;
    expect(Object.values(runtime().runtime.containers).some((c) => c.podUid === pod.metadata!.uid && c.state === 'running')).toBe(true);
    h.sim.restart('node-1/kubelet');
    h.run(5_000);
    expect(runtime().runtime.containers).toEqual({});
    expect(runtime().runtime.sandboxes).toEqual({});
    expect(runtime().ipam.allocated).toEqual({});
  });

  it('keeps containers running while the apiserver is unreachable; status catches up after the partition heals', () => {
    const h = new NodeHarness();
    h.run(2_000);
    h.createPod(nginxPod('web'));
    h.createPod(nginxPod('crash', { annotations: { 'kubesim.io/exit-after-ms': '20000', 'kubesim.io/exit-code': '3' } }));
    expect(h.runUntil(RUNNING(h, 'web'), 30_000)).toBe(true);
    const webStatus = h.pod('web')!.status!;
    const restartsBefore = h.pod('crash')!.status!.containerStatuses![0].restartCount;
    h.sim.partition({ id: 'cut', from: ['node-1'], to: ['apiserver-0'], oneWay: false });
    h.run(90_000);
    // Containers keep running, and the kubelet keeps restarting the crashing one on its own.
    const { runtime } = h.runtimeContext().runtime.snapshot;
    const web = Object.values(runtime.containers).find((c) => c.name === 'app' && `containerd://${c.id}` === webStatus.containerStatuses![0].containerID);
    expect(web?.state).toBe('running');
    const crashAttempts = Math.max(...Object.values(runtime.containers).filter((c) => c.podUid === h.pod('crash')!.metadata!.uid).map((c) => c.attempt));
    expect(crashAttempts).toBeGreaterThanOrEqual(2);
    // The API has not heard of it yet.
    expect(h.pod('crash')!.status!.containerStatuses![0].restartCount).toBe(restartsBefore);
    expect(restartsBefore).toBeLessThan(crashAttempts);
    h.sim.heal('cut');
    expect(h.runUntil(() => (h.pod('crash')!.status!.containerStatuses![0].restartCount ?? 0) >= crashAttempts, 30_000)).toBe(true);
    expect(h.pod('web')!.status!.containerStatuses![0]).toMatchObject({ containerID: webStatus.containerStatuses![0].containerID, restartCount: 0 });
    // The Lease is renewed again.
    h.run(12_000);
    expect(Date.parse(h.lease()!.spec!.renewTime!)).toBeGreaterThan(Date.parse('2024-04-17T00:01:30Z'));
  });

  it('recovers the runtime from its disk after a containerd crash: containers, images and IPs survive', () => {
    const h = new NodeHarness();
    h.run(2_000);
    h.createPod(nginxPod('web'));
    expect(h.runUntil(RUNNING(h, 'web'), 30_000)).toBe(true);
    const before = h.runtimeContext().runtime.snapshot;
    h.sim.crash('node-1/containerd', { loseUnsynced: true });
    h.run(5_000);
    h.sim.restart('node-1/containerd');
    h.run(5_000);
    const after = h.runtimeContext().runtime.snapshot;
    expect(Object.keys(after.runtime.containers)).toEqual(Object.keys(before.runtime.containers));
    expect(after.ipam).toEqual(before.ipam);
    expect(Object.keys(after.runtime.images)).toContain('docker.io/library/nginx:1.25');
    // A second pod still starts: the kubelet's CRI client carried on.
    h.createPod(nginxPod('web-2'));
    expect(h.runUntil(RUNNING(h, 'web-2'), 30_000)).toBe(true);
    expect(h.pod('web')!.status!.containerStatuses![0].restartCount).toBe(0);
  });

  it('reports the node NotReady while its runtime is down, and Ready again once it is back', () => {
    const h = new NodeHarness();
    h.run(3_000);
    const ready = () => h.node()!.status!.conditions!.find((c) => c.type === 'Ready')!;
    h.sim.crash('node-1/containerd');
    expect(h.runUntil(() => ready().status === 'False', 60_000, 1_000)).toBe(true);
    expect(ready()).toMatchObject({ reason: 'KubeletNotReady', message: 'container runtime is down' });
    h.sim.restart('node-1/containerd');
    expect(h.runUntil(() => ready().status === 'True', 30_000, 1_000)).toBe(true);
  });

  it('stops a round at a CRI call the runtime refuses, reports it, and retries from the runtime\'s own state', () => {
    // Planted disagreement: the kubelet expects nginx to pull instantly, the runtime's registry takes 1.9 s.
    const h = new NodeHarness({ nodes: [] });
    h.sim.add('node-9/containerd', containerRuntimeMachine, { node: 'node-9', podCIDR: '10.244.9.0/24' });
    h.sim.add('node-9/kubelet', kubeletMachine, {
      apiserver: 'apiserver-0', runtime: 'node-9/containerd', node: nodeConfigOf({ name: 'node-9' }, 9),
      registry: { images: { 'docker.io/library/nginx': { pullMs: 0 } } },
    });
    h.run(2_000);
    h.createPod(nginxPod('web', { node: 'node-9' }));
    expect(h.runUntil(RUNNING(h, 'web'), 30_000)).toBe(true);
    expect(h.kubeletContext('node-9').kubelet.stats.criErrors).toBe(1);
    expect(h.observed('obs.kubelet.criError')[0]).toMatchObject({ observation: { method: 'CreateContainer' } });
    const failed = h.events('web').find((e) => e.reason === 'Failed')!;
    expect(failed.type).toBe('Warning');
    expect(failed.message).toBe('Error: rpc error: code = Unknown desc = failed to create containerd container: image "docker.io/library/nginx:1.25" is not present on node node-9');
    // The sync that failed left no Created/Started behind; the retry did.
    expect(h.events('web').filter((e) => e.reason === 'Started')).toHaveLength(1);
    expect(h.pod('web')!.status!.containerStatuses![0].restartCount).toBe(0);
  });

  it('tries an event write that got no answer again (client-go recordToSink: 12 tries, 10 s apart)', () => {
    const h = new NodeHarness();
    h.run(2_000);
    h.createPod(nginxPod('web'));
    // The kubelet's requests are lost for 8 s (the pod's watch events still reach it): every event of the
    // start times out after 10 s, and is tried again within the next 10 s.
    h.sim.partition({ id: 'lossy', from: ['node-1'], to: ['apiserver-0'], oneWay: true });
    h.run(8_000);
    h.sim.heal('lossy');
    expect(h.events('web')).toEqual([]);
    h.run(25_000);
    expect(h.events('web').map((e) => e.reason)).toEqual(['Pulling', 'Pulled', 'Created', 'Started']);
    expect(h.events('web').every((e) => e.count === 1)).toBe(true);
  });

  it('keeps the events of the calls that succeeded when a later call of the same sync fails (Created, Started of the first container)', () => {
    // Planted disagreement on the second container's image only: its CreateContainer fails at the runtime,
    // after the first container was created and started. Upstream has recorded Created and Started by then.
    const h = new NodeHarness({ nodes: [] });
    h.sim.add('node-9/containerd', containerRuntimeMachine, { node: 'node-9', podCIDR: '10.244.9.0/24', registry: { images: { 'docker.io/library/busybox': { pullMs: 0 } } } });
    h.sim.add('node-9/kubelet', kubeletMachine, {
      apiserver: 'apiserver-0', runtime: 'node-9/containerd', node: nodeConfigOf({ name: 'node-9' }, 9),
      registry: { images: { 'docker.io/library/busybox': { pullMs: 0 }, 'docker.io/library/nginx': { pullMs: 0 } } },
    });
    h.run(2_000);
    h.createPod(nginxPod('two', { node: 'node-9', containers: [{ name: 'first', image: 'busybox:1.36' }, { name: 'second', image: 'nginx:1.25' }] }));
    expect(h.runUntil(() => h.pod('two')?.status?.containerStatuses?.every((c) => c.ready) === true, 30_000)).toBe(true);
    expect(h.observed('obs.kubelet.criError')[0]).toMatchObject({ observation: { method: 'CreateContainer' } });
    const of = (container: string) => h.events('two').filter((e) => e.involvedObject.fieldPath === `spec.containers{${container}}`);
    // The first container was started once, by the sync that failed: its events are those of that sync.
    expect(h.pod('two')!.status!.containerStatuses!.find((c) => c.name === 'first')!.restartCount).toBe(0);
    expect(of('first').map((e) => e.reason)).toEqual(['Pulling', 'Pulled', 'Created', 'Started']);
    // The second: what was recorded before its CreateContainer (the pull), the failure, then the retry's start.
    expect(of('second').map((e) => e.reason)).toEqual(expect.arrayContaining(['Pulling', 'Pulled', 'Failed', 'Created', 'Started']));
    expect(of('second').filter((e) => e.reason === 'Created')).toHaveLength(1);
    expect(of('second').find((e) => e.reason === 'Created')!.count).toBe(1);
  });
});
