import type { AnyEventObject, AnyMachineSnapshot } from 'xstate';
import type { ReviewModule } from '../../src/review/review-module.ts';
import type { CriCall } from '../../src/kubelet/cri.ts';
import type { ContainerRuntimeContext } from './container-runtime.machine.ts';
import { runtimeInvariantViolation } from './invariants.ts';

/**
 * Review sample for the container runtime of node-1: CRI calls built from the snapshot so a whole pod life
 * can be walked — pull, sandbox, create, start, stop, remove — plus calls that fail (an unknown container).
 */
export const reviewInput: ReviewModule['reviewInput'] = (now) => ({
  address: 'node-1/containerd',
  incarnation: 0,
  rng: [1, 2, 3, 4],
  disk: new Map(),
  now,
  config: { node: 'node-1', podCIDR: '10.244.1.0/24', registry: { images: { 'docker.io/library/nginx': { pullMs: 0 } } } },
});

const ctx = (snapshot: AnyMachineSnapshot) => snapshot.context as ContainerRuntimeContext;

function calls(snapshot: AnyMachineSnapshot): AnyEventObject[] {
  const { runtime } = ctx(snapshot).runtime.snapshot;
  const sandbox = Object.values(runtime.sandboxes)[0];
  const container = Object.values(runtime.containers)[0];
  const list: CriCall[] = [
    { method: 'Relist' },
    { method: 'PullImage', image: 'nginx:1.25', pullId: 'p', joined: false },
    { method: 'RunPodSandbox', pod: { uid: 'uid-web', name: 'web', namespace: 'default' }, hostNetwork: false, sandboxId: 's' },
    { method: 'StartContainer', containerId: 'missing' },
  ];
  if (sandbox) {
    list.push(
      { method: 'CreateContainer', request: { sandboxId: sandbox.id, container: { name: 'app', image: 'nginx:1.25' }, attempt: 0, behavior: { startDelayMs: 0, exitAfterMs: 5000, exitCode: 1, memoryUsageBytes: null, livenessFailsAfterMs: null, readinessFailsAfterMs: null, probeLatencyMs: 0, shutdownDelayMs: 0, termExitCode: 0 } }, containerId: 'c' },
      { method: 'StopPodSandbox', sandboxId: sandbox.id },
      { method: 'RemovePodSandbox', sandboxId: sandbox.id },
    );
  }
  if (container) list.push({ method: 'StartContainer', containerId: container.id }, { method: 'StopContainer', containerId: container.id, timeoutMs: 2000 });
  return list.map((call, i) => ({ type: 'cri.request', from: 'node-1/kubelet', requestId: `r${i}`, call }));
}

export const reviewEvents: ReviewModule['reviewEvents'] = { 'cri.request': calls };

export const reviewInvariants: ReviewModule['reviewInvariants'] = {
  '*': (snapshot) => runtimeInvariantViolation(ctx(snapshot).runtime.snapshot),
};
