// The container runtime's side of the CRI as pure functions over its durable state: apply one call at the
// runtime's own clock, let time pass (pulls complete, processes exit or are OOM-killed), persist every change
// before answering, and recover from disk after a restart — containers keep running meanwhile, as they do
// under containerd's shims.
import type { HostedEmitted } from '../../src/host/contract.ts';
import type { CriCall, CriRequestMessage, CriResponseMessage, CriResult, RuntimeSnapshot } from '../../src/kubelet/cri.ts';
import { isMutatingCall } from '../../src/kubelet/cri.ts';
import { allocateIP, newIpam, releaseIP } from '../../src/kubelet/ipam.ts';
import type { RegistryConfig } from '../../src/kubelet/registry.ts';
import {
  advance, createContainer, forgetPull, newRuntime, nextRuntimeDeadline, podContainers, pullImage, removeContainer,
  removePodSandbox, runPodSandbox, startContainer, stopContainer, stopPodSandbox,
} from '../../src/kubelet/runtime.ts';
import type { RuntimeEvent } from '../../src/kubelet/runtime.ts';
import type { ContainerRuntimeConfig } from './config.ts';

/** The disk key of the runtime's state (containerd's metadata database plus the CNI plugin's reservations). */
export const STATE_KEY = 'containerd/state';

export interface RuntimeNodeState {
  readonly registry: RegistryConfig;
  readonly snapshot: RuntimeSnapshot;
  /** Calls served by this incarnation (for review and traces). */
  readonly served: number;
  /** Nothing was on disk: the state is new and not yet written. */
  readonly fresh: boolean;
}

export interface RuntimeOutcome {
  readonly state: RuntimeNodeState;
  readonly emits: readonly HostedEmitted[];
}

/** A fresh node (only the sandbox image present), or what the disk kept. */
export function loadRuntime(config: ContainerRuntimeConfig, disk: ReadonlyMap<string, unknown>): RuntimeNodeState {
  const registry = config.registry ?? {};
  const saved = disk.get(STATE_KEY) as RuntimeSnapshot | undefined;
  const snapshot: RuntimeSnapshot = saved ?? {
    runtime: newRuntime(config.node, registry, { serializePulls: config.serializeImagePulls ?? true }),
    ipam: newIpam(config.podCIDR),
  };
  return { registry, snapshot, served: 0, fresh: saved === undefined };
}

/** Start-up: what happened while the runtime was down happens now; a fresh state is written to disk. */
export function startRuntime(state: RuntimeNodeState, now: number): RuntimeOutcome {
  const outcome = passTime(state, now, state.fresh);
  return { ...outcome, state: { ...outcome.state, fresh: false } };
}

/** Advances to `now`; persists (write + fsync) when anything happened or `force`. */
function passTime(state: RuntimeNodeState, now: number, force = false): RuntimeOutcome {
  const advanced = advance(state.snapshot.runtime, now);
  const next: RuntimeNodeState = { ...state, snapshot: { ...state.snapshot, runtime: advanced.state } };
  const emits: HostedEmitted[] = advanced.events.map(observe);
  if (force || advanced.events.length > 0) emits.push(...persist(next.snapshot));
  return { state: next, emits };
}

function persist(snapshot: RuntimeSnapshot): HostedEmitted[] {
  return [{ type: 'disk.write', key: STATE_KEY, value: snapshot }, { type: 'disk.sync' }];
}

function observe(event: RuntimeEvent): HostedEmitted {
  switch (event.type) {
    case 'ImagePulled':
      return { type: 'obs.runtime.pulled', at: event.at, image: event.image, pullMs: event.pullMs };
    case 'ImagePullFailed':
      return { type: 'obs.runtime.pullFailed', at: event.at, image: event.image, error: event.error };
    case 'ContainerExited':
      return { type: 'obs.runtime.exited', at: event.at, containerId: event.containerId, podUid: event.podUid, name: event.name, exitCode: event.exitCode, reason: event.reason };
  }
}

/** A CRI error as the kubelet's gRPC client prints it. */
export class CriError extends Error {
  constructor(readonly code: 'NotFound' | 'Unknown' | 'FailedPrecondition', desc: string) {
    super(`rpc error: code = ${code} desc = ${desc}`);
  }
}

function notFound(kind: 'container' | 'sandbox', id: string): CriError {
  return new CriError('NotFound', `an error occurred when try to find ${kind} ${JSON.stringify(id)}: not found`);
}

/** Applies one call at `now` (the runtime has been advanced to `now`). Throws CriError on failure. */
export function applyCall(snapshot: RuntimeSnapshot, registry: RegistryConfig, call: CriCall, now: number): { snapshot: RuntimeSnapshot; result: CriResult } {
  const { runtime, ipam } = snapshot;
  const keep = (result: CriResult) => ({ snapshot, result });
  const withRuntime = (next: typeof runtime, result: CriResult = {}) => ({ snapshot: { ...snapshot, runtime: next }, result });
  switch (call.method) {
    case 'PullImage': {
      // The kubelet's cache saw this pull under way: join it, even if it completed in the meantime.
      if (call.joined && runtime.pulls[call.pullId]) return keep({ pullId: call.pullId });
      const pulled = pullImage(runtime, call.image, registry, now);
      return withRuntime(pulled.state, { pullId: pulled.pullId });
    }
    case 'ReleasePull':
      // The kubelet is done waiting; a pull still under way goes on (its image will be in the cache).
      return runtime.pulls[call.pullId]?.done === false ? keep({}) : withRuntime(forgetPull(runtime, call.pullId));
    case 'RunPodSandbox': {
      let ip: string | null = null;
      let nextIpam = ipam;
      if (!call.hostNetwork) {
        const allocated = allocateIP(ipam, call.pod.uid);
        if (!allocated.ok) {
          throw new CriError('Unknown', `failed to setup network for sandbox ${JSON.stringify(call.sandboxId)}: plugin type="bridge" name="kubesim" failed (add): ${allocated.error}`);
        }
        [ip, nextIpam] = [allocated.ip, allocated.state];
      }
      const pod = { metadata: { uid: call.pod.uid, name: call.pod.name, namespace: call.pod.namespace } };
      const created = runPodSandbox(runtime, pod, ip, now);
      return { snapshot: { runtime: created.state, ipam: nextIpam }, result: { sandboxId: created.sandboxId } };
    }
    case 'StopPodSandbox':
      // Idempotent, as containerd's: stopping a sandbox that is gone succeeds.
      return withRuntime(stopPodSandbox(runtime, call.sandboxId, now));
    case 'RemovePodSandbox': {
      const sandbox = runtime.sandboxes[call.sandboxId];
      const next = removePodSandbox(runtime, call.sandboxId);
      // CNI DEL once the pod has no sandbox left: its address goes back to the pool.
      const lastOne = sandbox !== undefined && !Object.values(next.sandboxes).some((s) => s.podUid === sandbox.podUid);
      return { snapshot: { runtime: next, ipam: lastOne ? releaseIP(ipam, sandbox.podUid) : ipam }, result: {} };
    }
    case 'CreateContainer': {
      const sandbox = runtime.sandboxes[call.request.sandboxId];
      if (!sandbox) throw notFound('sandbox', call.request.sandboxId);
      if (sandbox.state !== 'ready') throw new CriError('Unknown', `failed to create containerd container: sandbox ${JSON.stringify(sandbox.id)} is not running`);
      try {
        const created = createContainer(runtime, call.request, now);
        return withRuntime(created.state, { containerId: created.containerId });
      } catch (error) {
        throw new CriError('Unknown', `failed to create containerd container: ${(error as Error).message}`);
      }
    }
    case 'StartContainer': {
      const c = runtime.containers[call.containerId];
      if (!c) throw notFound('container', call.containerId);
      if (c.state !== 'created') throw new CriError('Unknown', `failed to start containerd task ${JSON.stringify(c.id)}: container is in ${c.state.toUpperCase()} state`);
      return withRuntime(startContainer(runtime, call.containerId, now));
    }
    case 'StopContainer':
      return withRuntime(stopContainer(runtime, call.containerId, call.timeoutMs, now));
    case 'RemoveContainer':
      return withRuntime(removeContainer(runtime, call.containerId));
    case 'Relist':
      return keep({});
    case 'ContainerStatus': {
      const c = runtime.containers[call.containerId];
      if (!c) throw notFound('container', call.containerId);
      return keep({ container: c });
    }
    case 'ListContainers':
      return keep({ containers: call.podUid === undefined ? Object.values(runtime.containers) : podContainers(runtime, call.podUid) });
    case 'ListPodSandbox':
      return keep({ sandboxes: Object.values(runtime.sandboxes).filter((s) => call.podUid === undefined || s.podUid === call.podUid) });
    case 'ListImages':
      return keep({ images: Object.entries(runtime.images).map(([name, image]) => ({ name, ...image })) });
  }
}

/** Serves one `cri.request`: time passes to `now`, the call is applied, changes are synced, then it answers. */
export function serveRequest(state: RuntimeNodeState, message: CriRequestMessage & { from: string }, now: number): RuntimeOutcome {
  const passed = passTime(state, now);
  const emits = [...passed.emits];
  let next = { ...passed.state, served: passed.state.served + 1 };
  let response: CriResponseMessage;
  try {
    const applied = applyCall(next.snapshot, next.registry, message.call, now);
    const changed = applied.snapshot !== next.snapshot;
    next = { ...next, snapshot: applied.snapshot };
    // Durable before the kubelet hears of it: a restarted runtime never forgets a container it reported.
    if (changed && isMutatingCall(message.call)) emits.push(...persist(next.snapshot));
    if (message.call.method === 'StartContainer') {
      const c = next.snapshot.runtime.containers[message.call.containerId];
      emits.push({ type: 'obs.runtime.started', at: now, containerId: c.id, podUid: c.podUid, name: c.name, attempt: c.attempt });
    }
    response = { type: 'cri.response', requestId: message.requestId, ok: true, result: applied.result, snapshot: next.snapshot };
  } catch (error) {
    if (!(error instanceof CriError)) throw error;
    response = { type: 'cri.response', requestId: message.requestId, ok: false, error: error.message, snapshot: next.snapshot };
  }
  emits.push({ type: 'net.send', to: message.from, message: { ...response } });
  return { state: next, emits };
}

/** A timer: the runtime's own timeline (pull completions, exits, OOM kills) reaches `now`. */
export function tickRuntime(state: RuntimeNodeState, now: number): RuntimeOutcome {
  return passTime(state, now);
}

/** When something next happens in the runtime by itself (undefined: nothing scheduled). */
export function runtimeDeadline(state: RuntimeNodeState): number | undefined {
  return nextRuntimeDeadline(state.snapshot.runtime) ?? undefined;
}
