// pod.status exactly as the v1.30 kubelet reports it: generateAPIPodStatus, convertToAPIContainerStatuses,
// getPhase and the status package's condition generators, fed from the runtime model instead of the CRI.
import type { Container, ContainerStatus, Pod, PodCondition, PodStatus } from 'kubernetes-types/core/v1.js';
import { goList, rfc3339 } from './format.ts';
import type { ContainerProbeView } from './probes.ts';
import { podQOSClass } from '../api/qos.ts';
import type { ContainerRecord, SandboxRecord } from './runtime.ts';

export { podStatusColumn, podReadyColumn, podRestartsColumn, podColumns } from './pod-columns.ts';

/** Waiting reasons the kubelet's reason cache holds after a failed container start. */
export interface WaitingReason {
  readonly reason: string;
  readonly message: string;
}

export interface PodStatusInput {
  /** The pod as the kubelet has it, with the API's current status (the "old" status). */
  readonly pod: Pod;
  /** Every runtime instance of the pod's containers, any order. */
  readonly containers: readonly ContainerRecord[];
  /** The pod's newest sandbox. */
  readonly sandbox: SandboxRecord | undefined;
  readonly reasons: Readonly<Record<string, WaitingReason>>;
  /** Probe-derived started/ready per container name (see probes.probeView). */
  readonly probes: Readonly<Record<string, ContainerProbeView>>;
  readonly hostIP: string;
  /** When the kubelet first saw the pod (status.startTime). */
  readonly startTime: number | null;
  /** The pod worker is terminating/terminated: containers will not be restarted. */
  readonly podIsTerminal: boolean;
  readonly now: number;
}

export function isRestartableInit(container: Container): boolean {
  return container.restartPolicy === 'Always';
}

function newestFirst(records: readonly ContainerRecord[], name: string): ContainerRecord[] {
  return records.filter((r) => r.name === name).sort((a, b) => b.createdAt - a.createdAt || b.seq - a.seq);
}

/** kubecontainer.ShouldContainerBeRestarted, given the container's latest instance. */
export function shouldContainerBeRestarted(pod: Pod, container: Container, latest: ContainerRecord | undefined): boolean {
  if (pod.metadata?.deletionTimestamp) return false;
  if (latest === undefined || latest.state === 'created') return true;
  if (latest.state === 'running') return false;
  const policy = isRestartableInit(container) ? 'Always' : (pod.spec?.restartPolicy ?? 'Always');
  if (policy === 'Never') return false;
  if (policy === 'OnFailure') return latest.exitCode !== 0;
  return true;
}

function terminatedState(r: ContainerRecord): ContainerStatus['state'] {
  return {
    terminated: {
      exitCode: r.exitCode ?? 0,
      reason: r.reason ?? undefined,
      startedAt: r.startedAt === null ? undefined : rfc3339(r.startedAt),
      finishedAt: r.finishedAt === null ? undefined : rfc3339(r.finishedAt),
      containerID: `containerd://${r.id}`,
    },
  };
}

function stateOf(r: ContainerRecord): NonNullable<ContainerStatus['state']> {
  if (r.state === 'running') return { running: { startedAt: rfc3339(r.startedAt ?? r.createdAt) } };
  if (r.state === 'created') return { waiting: {} };
  return terminatedState(r)!;
}

function containerStatuses(input: PodStatusInput, specs: readonly Container[], old: readonly ContainerStatus[], isInit: boolean): ContainerStatus[] {
  const { pod, containers, reasons, probes } = input;
  const hasInit = (pod.spec?.initContainers ?? []).length > 0;
  const defaultReason = hasInit ? 'PodInitializing' : 'ContainerCreating';
  const out = specs.map((spec): ContainerStatus => {
    const [latest, previous] = newestFirst(containers, spec.name);
    const oldStatus = old.find((s) => s.name === spec.name);
    let status: ContainerStatus;
    if (latest === undefined) {
      // No instance (never created, or garbage-collected): the default waiting state, keeping old history.
      status = oldStatus?.state?.terminated
        ? { ...oldStatus }
        : { name: spec.name, state: { waiting: { reason: defaultReason } }, lastState: oldStatus?.lastState ?? {}, ready: false, restartCount: oldStatus?.restartCount ?? 0, image: spec.image ?? '', imageID: '' };
    } else {
      status = {
        name: spec.name,
        state: stateOf(latest),
        lastState: previous ? stateOf(previous) : {},
        ready: false,
        restartCount: latest.attempt,
        image: latest.image,
        imageID: latest.imageId,
        containerID: `containerd://${latest.id}`,
      };
    }
    const reason = reasons[spec.name];
    const succeededInit = isInit && latest?.state === 'exited' && latest.exitCode === 0;
    if (reason && !succeededInit && shouldContainerBeRestarted(pod, spec, latest)) {
      // A container the kubelet failed to (re)start shows why it is waiting; its last run moves to lastState.
      if (status.state?.terminated) status = { ...status, lastState: status.state };
      status = { ...status, state: { waiting: { reason: reason.reason, message: reason.message } } };
    }
    const view = probes[spec.name] ?? { started: false, ready: false };
    const running = status.state?.running !== undefined;
    const ready = isInit && !isRestartableInit(spec) ? status.state?.terminated?.exitCode === 0 : running && view.ready;
    return { ...status, ready, started: running && view.started };
  });
  // Regular container statuses are sorted by name (kubetypes.SortedContainerStatuses); init ones keep spec order.
  return isInit ? out : out.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}

/** kubecontainer.HasAnyRegularContainerStarted: a regular container is running or has terminated. */
function hasAnyRegularContainerStarted(pod: Pod, statuses: readonly ContainerStatus[]): boolean {
  const names = new Set((pod.spec?.containers ?? []).map((c) => c.name));
  return statuses.some((s) => names.has(s.name) && (s.state?.running !== undefined || s.state?.terminated !== undefined));
}

/** getPhase (pkg/kubelet/kubelet_pods.go, v1.30). */
export function getPhase(pod: Pod, statuses: readonly ContainerStatus[], podIsTerminal: boolean): NonNullable<PodStatus['phase']> {
  const spec = pod.spec ?? { containers: [] };
  const find = (name: string) => statuses.find((s) => s.name === name);
  let pendingInitialization = 0;
  let failedInitialization = 0;
  for (const c of spec.initContainers ?? []) {
    if (isRestartableInit(c)) continue;
    const s = find(c.name);
    if (!s) pendingInitialization++;
    else if (s.state?.running) pendingInitialization++;
    else if (s.state?.terminated) failedInitialization += s.state.terminated.exitCode !== 0 ? 1 : 0;
    else if (s.state?.waiting) {
      if (s.lastState?.terminated) failedInitialization += s.lastState.terminated.exitCode !== 0 ? 1 : 0;
      else pendingInitialization++;
    } else pendingInitialization++;
  }
  let unknown = 0;
  let running = 0;
  let waiting = 0;
  let stopped = 0;
  let succeeded = 0;
  for (const c of spec.initContainers ?? []) {
    if (!isRestartableInit(c)) continue;
    const s = find(c.name);
    if (!s) unknown++;
    else if (s.state?.running) {
      if (!s.started) pendingInitialization++;
      running++;
    } else if (s.state?.terminated) {
      // Terminated sidecars do not count.
    } else if (s.state?.waiting) {
      if (!s.lastState?.terminated) {
        pendingInitialization++;
        waiting++;
      }
    } else {
      pendingInitialization++;
      unknown++;
    }
  }
  for (const c of spec.containers) {
    const s = find(c.name);
    if (!s) unknown++;
    else if (s.state?.running) running++;
    else if (s.state?.terminated) {
      stopped++;
      if (s.state.terminated.exitCode === 0) succeeded++;
    } else if (s.state?.waiting) {
      if (s.lastState?.terminated) stopped++;
      else waiting++;
    } else unknown++;
  }
  const restartPolicy = spec.restartPolicy ?? 'Always';
  if (failedInitialization > 0 && restartPolicy === 'Never') return 'Failed';
  if ((pendingInitialization > 0 && !hasAnyRegularContainerStarted(pod, statuses)) || waiting > 0) return 'Pending';
  if (running > 0 && unknown === 0) return 'Running';
  if (running === 0 && stopped > 0 && unknown === 0) {
    if (podIsTerminal) return stopped === succeeded ? 'Succeeded' : 'Failed';
    if (restartPolicy === 'Always') return 'Running';
    if (stopped === succeeded) return 'Succeeded';
    if (restartPolicy === 'Never') return 'Failed';
    return 'Running';
  }
  return 'Pending';
}

type Cond = Omit<PodCondition, 'lastTransitionTime'>;

function readinessConditions(pod: Pod, all: readonly ContainerStatus[], phase: string): { containersReady: Cond; ready: Cond } {
  const specs = [...(pod.spec?.initContainers ?? []).filter(isRestartableInit), ...(pod.spec?.containers ?? [])];
  const unknown: string[] = [];
  const unready: string[] = [];
  for (const c of specs) {
    const s = all.find((x) => x.name === c.name);
    if (!s) unknown.push(c.name);
    else if (!s.ready) unready.push(c.name);
  }
  let containersReady: Cond;
  if ((phase === 'Succeeded' && unknown.length === 0) || phase === 'Failed') {
    containersReady = { type: 'ContainersReady', status: 'False', reason: phase === 'Failed' ? 'PodFailed' : 'PodCompleted' };
  } else {
    const messages = [
      ...(unknown.length ? [`containers with unknown status: ${goList(unknown)}`] : []),
      ...(unready.length ? [`containers with unready status: ${goList(unready)}`] : []),
    ];
    containersReady = messages.length
      ? { type: 'ContainersReady', status: 'False', reason: 'ContainersNotReady', message: messages.join(', ') }
      : { type: 'ContainersReady', status: 'True' };
  }
  if (containersReady.status !== 'True') return { containersReady, ready: { ...containersReady, type: 'Ready' } };
  const gates = (pod.spec?.readinessGates ?? []).flatMap((g) => {
    const c = pod.status?.conditions?.find((x) => x.type === g.conditionType);
    if (!c) return [`corresponding condition of pod readiness gate "${g.conditionType}" does not exist.`];
    return c.status === 'True' ? [] : [`the status of pod readiness gate "${g.conditionType}" is not "True", but ${c.status}`];
  });
  const ready: Cond = gates.length
    ? { type: 'Ready', status: 'False', reason: 'ReadinessGatesNotReady', message: gates.join(', ') }
    : { type: 'Ready', status: 'True' };
  return { containersReady, ready };
}

function initializedCondition(pod: Pod, all: readonly ContainerStatus[], phase: string): Cond {
  const inits = pod.spec?.initContainers ?? [];
  if (inits.length === 0) return { type: 'Initialized', status: 'True' };
  const unknown: string[] = [];
  const incomplete: string[] = [];
  for (const c of inits) {
    const s = all.find((x) => x.name === c.name);
    if (!s) unknown.push(c.name);
    else if (isRestartableInit(c) ? !s.started : !s.ready) incomplete.push(c.name);
  }
  if (phase === 'Succeeded' && unknown.length === 0) return { type: 'Initialized', status: 'True', reason: 'PodCompleted' };
  if (hasAnyRegularContainerStarted(pod, all)) return { type: 'Initialized', status: 'True' };
  const messages = [
    ...(unknown.length ? [`containers with unknown status: ${goList(unknown)}`] : []),
    ...(incomplete.length ? [`containers with incomplete status: ${goList(incomplete)}`] : []),
  ];
  return messages.length
    ? { type: 'Initialized', status: 'False', reason: 'ContainersNotInitialized', message: messages.join(', ') }
    : { type: 'Initialized', status: 'True' };
}

const KUBELET_CONDITIONS = new Set(['PodScheduled', 'Ready', 'Initialized', 'ContainersReady', 'PodReadyToStartContainers']);

/** generateAPIPodStatus + the status manager's lastTransitionTime bookkeeping. */
export function generatePodStatus(input: PodStatusInput): PodStatus {
  const { pod, sandbox, now } = input;
  const old = pod.status ?? {};
  const initStatuses = containerStatuses(input, pod.spec?.initContainers ?? [], old.initContainerStatuses ?? [], true);
  const statuses = containerStatuses(input, pod.spec?.containers ?? [], old.containerStatuses ?? [], false);
  const all = [...initStatuses, ...statuses];
  let phase = getPhase(pod, all, input.podIsTerminal);
  // Pods never leave a terminal phase (kubelet: "Pod attempted illegal phase transition").
  if (old.phase === 'Succeeded' || old.phase === 'Failed') phase = old.phase;

  const sandboxReady = sandbox?.state === 'ready';
  const { containersReady, ready } = readinessConditions(pod, all, phase);
  const generated: Cond[] = [
    { type: 'PodReadyToStartContainers', status: sandboxReady ? 'True' : 'False' },
    initializedCondition(pod, all, phase),
    ready,
    containersReady,
    { type: 'PodScheduled', status: 'True' },
  ];
  const conditions: PodCondition[] = [
    ...(old.conditions ?? []).filter((c) => !KUBELET_CONDITIONS.has(c.type)),
    ...generated.map((c) => {
      const before = old.conditions?.find((x) => x.type === c.type);
      const lastTransitionTime = before && before.status === c.status && before.lastTransitionTime ? before.lastTransitionTime : rfc3339(now);
      return { ...c, lastTransitionTime } as PodCondition;
    }),
  ];

  // Only a ready sandbox reports IPs; once it is gone the pod keeps the address it had.
  const ip = pod.spec?.hostNetwork ? input.hostIP : sandboxReady && sandbox.ip ? sandbox.ip : (old.podIP ?? null);
  const status: PodStatus = {
    phase,
    conditions,
    ...(old.phase === phase && old.reason ? { reason: old.reason } : {}),
    ...(old.phase === phase && old.message ? { message: old.message } : {}),
    hostIP: input.hostIP,
    hostIPs: [{ ip: input.hostIP }],
    ...(ip ? { podIP: ip, podIPs: [{ ip }] } : {}),
    ...(input.startTime !== null ? { startTime: old.startTime ?? rfc3339(input.startTime) } : {}),
    ...(initStatuses.length ? { initContainerStatuses: initStatuses } : {}),
    containerStatuses: statuses,
    qosClass: old.qosClass ?? podQOSClass(pod),
  };
  return status;
}

const STATUS_UNKNOWN = {
  exitCode: 137,
  reason: 'ContainerStatusUnknown',
  message: 'The container could not be located when the pod was terminated',
};

/**
 * status manager TerminatePod: the final status of a pod the kubelet is done with. A container without a
 * terminated state is reported failed (ContainerStatusUnknown, 137), so the pod is never wrongly successful,
 * and a pod still Pending or Running becomes Failed.
 */
export function terminatePodStatus(status: PodStatus): PodStatus {
  const finish = (s: ContainerStatus): ContainerStatus => (s.state?.terminated ? s : { ...s, state: { terminated: { ...STATUS_UNKNOWN } }, ready: false, started: false });
  return {
    ...status,
    phase: status.phase === 'Succeeded' || status.phase === 'Failed' ? status.phase : 'Failed',
    // Init containers without evidence of a start stay waiting: they never ran.
    ...(status.initContainerStatuses ? { initContainerStatuses: status.initContainerStatuses.map((s) => (s.state?.running ? finish(s) : s)) } : {}),
    ...(status.containerStatuses ? { containerStatuses: status.containerStatuses.map(finish) } : {}),
  };
}
