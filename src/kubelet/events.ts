// The kubelet's events, with the reasons and messages of Kubernetes v1.30 (pkg/kubelet/events, the image
// manager, kuberuntime and the prober). Source component "kubelet", host = the node's name.
import type { Event, ObjectReference, Pod } from 'kubernetes-types/core/v1.js';
import { goQuote } from '../api/validation/go-format.ts';
import { formatPod } from './backoff.ts';
import { KUBESIM_EPOCH_MS, goDuration, rfc3339 } from './format.ts';

export interface KubeletEvent {
  readonly type: 'Normal' | 'Warning';
  readonly reason: string;
  readonly message: string;
  readonly involvedObject: ObjectReference;
  /** Virtual ms. */
  readonly at: number;
  /**
   * Inside a journaled sync round: how many of the round's CRI calls had been made when it was recorded.
   * It stands only if they all succeed — upstream records Created once CreateContainer has returned and
   * Started once StartContainer has, and a sync stops at the call that fails.
   */
  readonly afterCalls?: number;
}

/** The object an event is about: the pod, or one of its containers (fieldPath "spec.containers{app}"). */
export function podReference(pod: Pod, containerName?: string): ObjectReference {
  const ref: ObjectReference = {
    kind: 'Pod',
    namespace: pod.metadata?.namespace ?? 'default',
    name: pod.metadata?.name ?? '',
    uid: pod.metadata?.uid ?? '',
    apiVersion: 'v1',
  };
  if (pod.metadata?.resourceVersion !== undefined) ref.resourceVersion = pod.metadata.resourceVersion;
  if (containerName === undefined) return ref;
  const isInit = (pod.spec?.initContainers ?? []).some((c) => c.name === containerName);
  return { ...ref, fieldPath: `${isInit ? 'spec.initContainers' : 'spec.containers'}{${containerName}}` };
}

function event(type: KubeletEvent['type'], reason: string, message: string, pod: Pod, container: string | undefined, at: number): KubeletEvent {
  return { type, reason, message, involvedObject: podReference(pod, container), at };
}

const truncateMs = (ms: number): number => Math.trunc(ms);

export const kubeletEvents = {
  pulling: (pod: Pod, container: string, image: string, at: number) => event('Normal', 'Pulling', `Pulling image ${goQuote(image)}`, pod, container, at),
  /** pullMs: the runtime's pull; totalMs: since the kubelet asked, queueing behind other pulls included. */
  pulled: (pod: Pod, container: string, image: string, pullMs: number, totalMs: number, sizeBytes: number, at: number) =>
    event(
      'Normal',
      'Pulled',
      `Successfully pulled image ${goQuote(image)} in ${goDuration(truncateMs(pullMs))} (${goDuration(truncateMs(totalMs))} including waiting). Image size: ${sizeBytes} bytes.`,
      pod,
      container,
      at,
    ),
  alreadyPresent: (pod: Pod, container: string, image: string, at: number) =>
    event('Normal', 'Pulled', `Container image ${goQuote(image)} already present on machine`, pod, container, at),
  pullFailed: (pod: Pod, container: string, image: string, error: string, at: number) =>
    event('Warning', 'Failed', `Failed to pull image ${goQuote(image)}: ${error}`, pod, container, at),
  pullBackOff: (pod: Pod, container: string, image: string, at: number) =>
    event('Normal', 'BackOff', `Back-off pulling image ${goQuote(image)}`, pod, container, at),
  neverPull: (pod: Pod, container: string, message: string, at: number) => event('Warning', 'ErrImageNeverPull', message, pod, container, at),
  /** FailedToCreateContainer: "Error: ErrImagePull", "Error: ImagePullBackOff", "Error: ErrImageNeverPull". */
  failed: (pod: Pod, container: string, errorReason: string, at: number) => event('Warning', 'Failed', `Error: ${errorReason}`, pod, container, at),
  created: (pod: Pod, container: string, at: number) => event('Normal', 'Created', `Created container ${container}`, pod, container, at),
  started: (pod: Pod, container: string, at: number) => event('Normal', 'Started', `Started container ${container}`, pod, container, at),
  /** Killing; message defaults to "Stopping container app" (a liveness kill passes its own). */
  killing: (pod: Pod, container: string, at: number, message = `Stopping container ${container}`) => event('Normal', 'Killing', message, pod, container, at),
  backOff: (pod: Pod, container: string, at: number) =>
    event('Warning', 'BackOff', `Back-off restarting failed container ${container} in pod ${formatPod(podRefOf(pod))}`, pod, container, at),
  unhealthy: (pod: Pod, container: string, probe: 'Liveness' | 'Readiness' | 'Startup', output: string, at: number) =>
    event('Warning', 'Unhealthy', `${probe} probe failed: ${output}`, pod, container, at),
  failedCreatePodSandbox: (pod: Pod, sandboxId: string, error: string, at: number) =>
    event(
      'Warning',
      'FailedCreatePodSandBox',
      `Failed to create pod sandbox: rpc error: code = Unknown desc = failed to setup network for sandbox ${goQuote(sandboxId)}: plugin type="bridge" name="kubesim" failed (add): ${error}`,
      pod,
      undefined,
      at,
    ),
};

export function podRefOf(pod: Pod): { name: string; namespace: string; uid: string } {
  return { name: pod.metadata?.name ?? '', namespace: pod.metadata?.namespace ?? 'default', uid: pod.metadata?.uid ?? '' };
}

/**
 * The core/v1 Event the kubelet's recorder posts. Its name is "<object>.<UnixNano in hex>"; `sequence`
 * separates events recorded at the same virtual instant (Go's clock never repeats a nanosecond).
 */
export function toCoreEvent(ev: KubeletEvent, nodeName: string, sequence = 0): Event {
  const unixNano = BigInt(KUBESIM_EPOCH_MS) * 1_000_000n + BigInt(Math.round(ev.at * 1e6)) + BigInt(sequence);
  return {
    apiVersion: 'v1',
    kind: 'Event',
    metadata: { name: `${ev.involvedObject.name}.${unixNano.toString(16)}`, namespace: ev.involvedObject.namespace ?? 'default' },
    involvedObject: ev.involvedObject,
    reason: ev.reason,
    message: ev.message,
    source: { component: 'kubelet', host: nodeName },
    firstTimestamp: rfc3339(ev.at),
    lastTimestamp: rfc3339(ev.at),
    count: 1,
    type: ev.type,
    reportingComponent: 'kubelet',
    reportingInstance: nodeName,
  };
}
