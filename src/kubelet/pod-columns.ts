// `kubectl get pods` columns, ported from printPod (pkg/printers/internalversion/printers.go, v1.30):
// READY "1/1", STATUS (Running, ContainerCreating, CrashLoopBackOff, Completed, Init:0/1, Terminating, …),
// RESTARTS "3 (20s ago)" and AGE.
import type { Container, ContainerStatus, Pod } from 'kubernetes-types/core/v1.js';
import { humanDuration, parseTimestamp } from './format.ts';

interface Row {
  readonly ready: string;
  readonly status: string;
  readonly restarts: number;
  /** Virtual ms of the latest restart (lastState.terminated.finishedAt), null when unknown. */
  readonly lastRestart: number | null;
}

const isSidecar = (c: Container | undefined): boolean => c?.restartPolicy === 'Always';

function later(current: number | null, s: ContainerStatus): number | null {
  const finished = s.lastState?.terminated?.finishedAt;
  if (finished === undefined) return current;
  const t = parseTimestamp(finished);
  return current === null || t > current ? t : current;
}

function printPod(pod: Pod): Row {
  const spec = pod.spec ?? { containers: [] };
  const status = pod.status ?? {};
  let restarts = 0;
  let sidecarRestarts = 0;
  let totalContainers = spec.containers.length;
  let readyContainers = 0;
  let lastRestart: number | null = null;
  let lastSidecarRestart: number | null = null;
  let reason: string = status.reason || status.phase || '';
  if (status.conditions?.some((c) => c.type === 'PodScheduled' && c.reason === 'SchedulingGated')) reason = 'SchedulingGated';

  const inits = new Map((spec.initContainers ?? []).map((c) => [c.name, c]));
  for (const c of spec.initContainers ?? []) if (isSidecar(c)) totalContainers++;

  let initializing = false;
  const initStatuses = status.initContainerStatuses ?? [];
  for (let i = 0; i < initStatuses.length; i++) {
    const c = initStatuses[i];
    restarts += c.restartCount ?? 0;
    lastRestart = later(lastRestart, c);
    const sidecar = isSidecar(inits.get(c.name));
    if (sidecar) {
      sidecarRestarts += c.restartCount ?? 0;
      lastSidecarRestart = later(lastSidecarRestart, c);
    }
    const terminated = c.state?.terminated;
    const waiting = c.state?.waiting;
    if (terminated && terminated.exitCode === 0) continue;
    if (sidecar && c.started) {
      if (c.ready) readyContainers++;
      continue;
    }
    if (terminated) {
      // Initialization failed.
      if (!terminated.reason) reason = terminated.signal ? `Init:Signal:${terminated.signal}` : `Init:ExitCode:${terminated.exitCode}`;
      else reason = `Init:${terminated.reason}`;
    } else if (waiting && waiting.reason && waiting.reason !== 'PodInitializing') {
      reason = `Init:${waiting.reason}`;
    } else {
      reason = `Init:${i}/${(spec.initContainers ?? []).length}`;
    }
    initializing = true;
    break;
  }

  const initializedTrue = status.conditions?.some((c) => c.type === 'Initialized' && c.status === 'True') ?? false;
  if (!initializing || initializedTrue) {
    restarts = sidecarRestarts;
    lastRestart = lastSidecarRestart;
    let hasRunning = false;
    const statuses = status.containerStatuses ?? [];
    for (let i = statuses.length - 1; i >= 0; i--) {
      const c = statuses[i];
      restarts += c.restartCount ?? 0;
      lastRestart = later(lastRestart, c);
      const waiting = c.state?.waiting;
      const terminated = c.state?.terminated;
      if (waiting && waiting.reason) reason = waiting.reason;
      else if (terminated && terminated.reason) reason = terminated.reason;
      else if (terminated) reason = terminated.signal ? `Signal:${terminated.signal}` : `ExitCode:${terminated.exitCode}`;
      else if (c.ready && c.state?.running) {
        hasRunning = true;
        readyContainers++;
      }
    }
    // A completed container next to a running one: the pod still runs.
    if (reason === 'Completed' && hasRunning) {
      reason = status.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') ? 'Running' : 'NotReady';
    }
  }

  if (pod.metadata?.deletionTimestamp && status.reason === 'NodeLost') reason = 'Unknown';
  else if (pod.metadata?.deletionTimestamp) reason = 'Terminating';

  return { ready: `${readyContainers}/${totalContainers}`, status: reason, restarts, lastRestart };
}

/** The STATUS column. */
export function podStatusColumn(pod: Pod): string {
  return printPod(pod).status;
}

/** The READY column: "ready/total" (sidecars count as containers). */
export function podReadyColumn(pod: Pod): string {
  return printPod(pod).ready;
}

/** The RESTARTS column at virtual time `now`: "0", or "3 (20s ago)". */
export function podRestartsColumn(pod: Pod, now: number): string {
  const row = printPod(pod);
  return row.restarts !== 0 && row.lastRestart !== null ? `${row.restarts} (${humanDuration(now - row.lastRestart)} ago)` : String(row.restarts);
}

/** NAME, READY, STATUS, RESTARTS, AGE as `kubectl get pods` prints them at virtual time `now`. */
export function podColumns(pod: Pod, now: number): { name: string; ready: string; status: string; restarts: string; age: string } {
  const row = printPod(pod);
  const created = pod.metadata?.creationTimestamp;
  return {
    name: pod.metadata?.name ?? '',
    ready: row.ready,
    status: row.status,
    restarts: podRestartsColumn(pod, now),
    age: created ? humanDuration(now - parseTimestamp(created)) : '<unknown>',
  };
}
