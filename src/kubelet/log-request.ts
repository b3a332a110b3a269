// The kubelet's /containerLogs endpoint as a pure function: which container instance a request means
// (GetKubeletContainerLogs + validateContainerLogStatus), with upstream's error texts, and the first answer.
import type { ContainerStatus, Pod, PodStatus } from 'kubernetes-types/core/v1.js';
import { containerLog, containerLogPath, formatLines, limitBytes, selectLines, type PodLogOptions } from './logs.ts';
import type { ContainerRecord, RuntimeState } from './runtime.ts';

export type LogTarget =
  | { readonly ok: true; readonly container: ContainerRecord }
  /** What the kubelet answers instead: 404 (no such pod/container) or 400 (no log to show), with its text. */
  | { readonly ok: false; readonly code: number; readonly message: string };

function specHas(pod: Pod, name: string): boolean {
  const spec = pod.spec;
  return [...(spec?.containers ?? []), ...(spec?.initContainers ?? []), ...(spec?.ephemeralContainers ?? [])].some((c) => c.name === name);
}

function statusOf(status: PodStatus, name: string): ContainerStatus | undefined {
  return [...(status.containerStatuses ?? []), ...(status.initContainerStatuses ?? []), ...(status.ephemeralContainerStatuses ?? [])].find((s) => s.name === name);
}

/** "containerd://<id>" → "<id>". */
function runtimeId(containerID: string | undefined): string {
  return (containerID ?? '').replace(/^[a-z]+:\/\//, '');
}

/** validateContainerLogStatus: the instance whose log is asked for, or why there is none. */
export function logContainerId(podName: string, status: PodStatus, name: string, previous: boolean): { id: string; attempt: number } | { error: string } {
  const s = statusOf(status, name);
  if (!s) return { error: `container ${JSON.stringify(name)} in pod ${JSON.stringify(podName)} is not available` };
  const last = s.lastState?.terminated;
  const { waiting, running, terminated } = s.state ?? {};
  const current = { attempt: s.restartCount ?? 0 };
  const previousOne = { attempt: Math.max(0, (s.restartCount ?? 0) - 1) };
  const quoted = `container ${JSON.stringify(name)} in pod ${JSON.stringify(podName)}`;
  if (previous) {
    if (!last?.containerID) return { error: `previous terminated ${quoted} not found` };
    return { id: runtimeId(last.containerID), ...previousOne };
  }
  if (running) return { id: runtimeId(s.containerID), ...current };
  if (terminated) {
    // The next instance did not start: its terminated state has no id; show the last one's log.
    if (terminated.containerID) return { id: runtimeId(terminated.containerID), ...current };
    if (last?.containerID) return { id: runtimeId(last.containerID), ...previousOne };
    return { error: `${quoted} is terminated` };
  }
  if (last) return last.containerID ? { id: runtimeId(last.containerID), ...previousOne } : { error: `${quoted} is terminated` };
  if (waiting) {
    switch (waiting.reason) {
      case 'ErrImagePull':
        return { error: `${quoted} is waiting to start: image can't be pulled` };
      case 'ImagePullBackOff':
        return { error: `${quoted} is waiting to start: trying and failing to pull image` };
      default:
        return { error: `${quoted} is waiting to start: ${waiting.reason ?? ''}` };
    }
  }
  return { error: `${quoted} is waiting to start - no logs yet` };
}

/**
 * Which container instance `GET /containerLogs/<ns>/<pod>/<container>` reads: the pod as the kubelet knows it,
 * its latest generated status (the status manager's, else the API's), and the runtime's records.
 */
export function resolveLogTarget(pod: Pod | undefined, podName: string, name: string, status: PodStatus | undefined, runtime: RuntimeState, previous: boolean): LogTarget {
  if (!pod) return { ok: false, code: 404, message: `pod ${JSON.stringify(podName)} does not exist\n` };
  if (!specHas(pod, name)) return { ok: false, code: 404, message: `container ${JSON.stringify(name)} not found in pod ${JSON.stringify(podName)}\n` };
  const found = logContainerId(podName, status ?? pod.status ?? {}, name, previous);
  if ('error' in found) return { ok: false, code: 400, message: found.error };
  const container = runtime.containers[found.id];
  if (!container) {
    // Removed by the runtime (garbage-collected, or gone with its sandbox): its log file went with it.
    const meta = pod.metadata ?? {};
    const path = containerLogPath(meta.namespace ?? 'default', meta.name ?? podName, meta.uid ?? '', name, found.attempt);
    return { ok: false, code: 400, message: `failed to try resolving symlinks in path ${JSON.stringify(path)}: lstat ${path}: no such file or directory` };
  }
  return { ok: true, container };
}

/** The response body's first part: the selected lines of the log as of `now`, within limitBytes. */
export function readLog(container: ContainerRecord, options: PodLogOptions, now: number): { text: string; remainingBytes: number | undefined } {
  const selected = selectLines(containerLog(container, now), options, now);
  const limited = limitBytes(formatLines(selected, options), options.limitBytes);
  return { text: limited.text, remainingBytes: limited.remaining };
}
