import { describe, expect, it } from 'vitest';
import { createActor } from 'xstate';
import { containerRuntimeMachine } from '../../machines/container-runtime/container-runtime.machine.ts';
import { STATE_KEY, applyCall, loadRuntime, serveRequest, startRuntime } from '../../machines/container-runtime/cri-server.ts';
import { runtimeInvariantViolation } from '../../machines/container-runtime/invariants.ts';
import type { CriCall, CriResponseMessage, RuntimeSnapshot } from '../../src/kubelet/cri.ts';
import type { HostedEmitted } from '../../src/host/contract.ts';
import { DEFAULT_BEHAVIOR } from '../../src/kubelet/workload.ts';
import { VirtualClock } from '../../src/sim/clock.ts';

const CONFIG = { node: 'node-1', podCIDR: '10.244.1.0/30' };
const POD = { uid: 'uid-web', name: 'web', namespace: 'default' };

function fresh(): RuntimeSnapshot {
  return loadRuntime(CONFIG, new Map()).snapshot;
}

/** Applies calls in order at `now`, each with the ids the previous answers returned. */
function run(snapshot: RuntimeSnapshot, now: number, ...calls: ((ids: Record<string, string>) => CriCall)[]): { snapshot: RuntimeSnapshot; ids: Record<string, string> } {
  const ids: Record<string, string> = {};
  let s = snapshot;
  for (const make of calls) {
    const out = applyCall(s, {}, make(ids), now);
    s = out.snapshot;
    Object.assign(ids, out.result);
  }
  return { snapshot: s, ids };
}

const sandbox = (): CriCall => ({ method: 'RunPodSandbox', pod: POD, hostNetwork: false, sandboxId: '' });
const create = (ids: Record<string, string>, behavior = DEFAULT_BEHAVIOR): CriCall => ({
  method: 'CreateContainer', containerId: '', request: { sandboxId: ids.sandboxId, container: { name: 'app', image: 'registry.k8s.io/pause:3.9' }, attempt: 0, behavior },
});

describe('container runtime: CRI calls', () => {
  it('runs a sandbox with an IP from the pod CIDR, creates and starts a container, and stops it', () => {
    const started = run(fresh(), 100, sandbox, (ids) => create(ids, { ...DEFAULT_BEHAVIOR, shutdownDelayMs: 500 }), (ids) => ({ method: 'StartContainer', containerId: ids.containerId }));
    const { runtime, ipam } = started.snapshot;
    expect(runtime.sandboxes[started.ids.sandboxId]).toMatchObject({ podUid: 'uid-web', ip: '10.244.1.2', state: 'ready' });
    expect(ipam.allocated).toEqual({ '10.244.1.2': 'uid-web' });
    expect(runtime.containers[started.ids.containerId]).toMatchObject({ state: 'running', startedAt: 100 });
    const stopped = run(started.snapshot, 200, () => ({ method: 'StopContainer', containerId: started.ids.containerId, timeoutMs: 30_000 }));
    expect(stopped.snapshot.runtime.containers[started.ids.containerId]).toMatchObject({ stopRequestedAt: 200, scheduledExit: { at: 700, exitCode: 0 } });
  });

  it('answers failed calls with gRPC errors: unknown containers, stopped sandboxes, exhausted IP ranges', () => {
    expect(() => applyCall(fresh(), {}, { method: 'StartContainer', containerId: 'nope' }, 0)).toThrow('rpc error: code = NotFound desc = an error occurred when try to find container "nope": not found');
    const stopped = run(fresh(), 0, sandbox, (ids) => ({ method: 'StopPodSandbox', sandboxId: ids.sandboxId }));
    expect(() => applyCall(stopped.snapshot, {}, create(stopped.ids), 0)).toThrow(/failed to create containerd container: sandbox ".*" is not running/);
    // A /30 has one usable pod address (.2): the second pod's CNI ADD fails.
    const second: CriCall = { method: 'RunPodSandbox', pod: { ...POD, uid: 'uid-2' }, hostNetwork: false, sandboxId: '' };
    expect(() => applyCall(stopped.snapshot, {}, second, 0)).toThrow('no IP addresses available in range set: 10.244.1.1-10.244.1.2');
  });

  it('frees the pod IP when the pod\'s last sandbox is removed', () => {
    const s = run(fresh(), 0, sandbox, (ids) => ({ method: 'RemovePodSandbox', sandboxId: ids.sandboxId }));
    expect(s.snapshot.ipam.allocated).toEqual({});
    expect(s.snapshot.runtime.sandboxes).toEqual({});
  });

  it('persists every change (write, then fsync) before it answers', () => {
    const state = startRuntime(loadRuntime(CONFIG, new Map()), 0).state;
    const out = serveRequest(state, { type: 'cri.request', from: 'node-1/kubelet', requestId: 'r1', call: sandbox() }, 5);
    const types = out.emits.map((e: HostedEmitted) => e.type);
    expect(types).toEqual(['disk.write', 'disk.sync', 'net.send']);
    const response = (out.emits[2] as unknown as { message: CriResponseMessage }).message;
    expect(response).toMatchObject({ type: 'cri.response', requestId: 'r1', ok: true });
    expect(response.snapshot).toBe(out.state.snapshot);
    // A read does not touch the disk.
    const read = serveRequest(out.state, { type: 'cri.request', from: 'node-1/kubelet', requestId: 'r2', call: { method: 'Relist' } }, 6);
    expect(read.emits.map((e: HostedEmitted) => e.type)).toEqual(['net.send']);
  });

  it('recovers from disk after a restart, with exits that fell due while it was down', () => {
    const clock = new VirtualClock();
    const disk = new Map<string, unknown>();
    const up = run(fresh(), 0, sandbox, (ids) => create(ids, { ...DEFAULT_BEHAVIOR, exitAfterMs: 1000, exitCode: 2 }), (ids) => ({ method: 'StartContainer', containerId: ids.containerId }));
    disk.set(STATE_KEY, up.snapshot);
    clock.runUntil(5_000);
    const emitted: HostedEmitted[] = [];
    const actor = createActor(containerRuntimeMachine, { clock, input: { address: 'node-1/containerd', incarnation: 1, rng: [1, 2, 3, 4], disk, now: () => clock.now(), config: CONFIG } });
    actor.on('*', (e: HostedEmitted) => emitted.push(e));
    actor.start();
    const recovered = actor.getSnapshot().context.runtime.snapshot;
    expect(recovered.runtime.containers[up.ids.containerId]).toMatchObject({ state: 'exited', exitCode: 2, finishedAt: 1000 });
    expect(recovered.ipam).toEqual(up.snapshot.ipam);
    expect(emitted.map((e) => e.type)).toEqual(['obs.runtime.exited', 'disk.write', 'disk.sync']);
    actor.stop();
  });

  it('runs its own timeline: an exit happens at its time without any call', () => {
    const clock = new VirtualClock();
    const up = run(fresh(), 0, sandbox, (ids) => create(ids, { ...DEFAULT_BEHAVIOR, exitAfterMs: 1500 }), (ids) => ({ method: 'StartContainer', containerId: ids.containerId }));
    const actor = createActor(containerRuntimeMachine, { clock, input: { address: 'node-1/containerd', incarnation: 0, rng: [1, 2, 3, 4], disk: new Map([[STATE_KEY, up.snapshot]]), now: () => clock.now(), config: CONFIG } });
    const exits: unknown[] = [];
    actor.on('obs.runtime.exited', (e: unknown) => exits.push(e));
    actor.start();
    clock.runUntil(1_000);
    expect(exits).toEqual([]);
    clock.runUntil(2_000);
    expect(exits).toEqual([expect.objectContaining({ at: 1500, exitCode: 0, reason: 'Completed' })]);
    actor.stop();
  });
});

describe('container runtime invariants', () => {
  const good = run(fresh(), 0, sandbox, (ids) => create(ids), (ids) => ({ method: 'StartContainer', containerId: ids.containerId }));

  it('hold for a runtime driven through its calls', () => {
    expect(runtimeInvariantViolation(good.snapshot)).toBeNull();
  });

  it('catch a container without a sandbox, a process in a stopped sandbox and a leaked IP (planted bugs)', () => {
    const { runtime, ipam } = good.snapshot;
    const noSandbox = { runtime: { ...runtime, sandboxes: {} }, ipam: { ...ipam, allocated: {} } };
    expect(runtimeInvariantViolation(noSandbox)).toMatch(/has no sandbox/);
    const sb = runtime.sandboxes[good.ids.sandboxId];
    const stoppedButRunning = { runtime: { ...runtime, sandboxes: { [sb.id]: { ...sb, state: 'notready' as const } } }, ipam };
    expect(runtimeInvariantViolation(stoppedButRunning)).toMatch(/runs in a stopped sandbox/);
    const leaked = { runtime, ipam: { ...ipam, allocated: { ...ipam.allocated, '10.244.1.3': 'uid-gone' } } };
    expect(runtimeInvariantViolation(leaked)).toBe('IP 10.244.1.3 is held by pod uid-gone, which has no sandbox');
  });
});
