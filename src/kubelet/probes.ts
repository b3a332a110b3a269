// Liveness, readiness and startup probes: the prober worker (pkg/kubelet/prober/worker.go doProbe) as plain
// data, evaluated against the workload model instead of a real HTTP/TCP/exec/gRPC check.
//
// Kept from upstream: a worker ticks every periodSeconds from when the kubelet first saw the pod; nothing is
// probed before initialDelaySeconds (whole seconds since the container started); liveness/readiness wait for
// the startup probe; a result is published only after successThreshold/failureThreshold equal results in a row;
// every failed check emits `Unhealthy` ("Liveness probe failed: …"); a published liveness/startup failure puts
// the worker on hold until a new container appears; readiness starts as Failure, liveness as Success.
import type { Container, Pod, Probe } from 'kubernetes-types/core/v1.js';
import { goQuote } from '../api/validation/go-format.ts';
import type { KubeletEvent } from './events.ts';
import { kubeletEvents } from './events.ts';
import { busCheck, type BusHealth } from './bus-probes.ts';
import type { ContainerRecord } from './runtime.ts';
import { healthAnswer, type HealthAnswer } from './workload.ts';

export type ProbeKind = 'liveness' | 'readiness' | 'startup';
export type ProbeResult = 'Success' | 'Failure' | 'Unknown';

/** API defaults for a probe's numbers (core/v1 SetDefaults_Probe). */
export const PROBE_DEFAULTS = { initialDelaySeconds: 0, periodSeconds: 10, timeoutSeconds: 1, successThreshold: 1, failureThreshold: 3 } as const;

const INITIAL_RESULT: Record<ProbeKind, ProbeResult> = { liveness: 'Success', readiness: 'Failure', startup: 'Unknown' };
const PROBE_NAME: Record<ProbeKind, 'Liveness' | 'Readiness' | 'Startup'> = { liveness: 'Liveness', readiness: 'Readiness', startup: 'Startup' };
const SPEC_FIELD = { liveness: 'livenessProbe', readiness: 'readinessProbe', startup: 'startupProbe' } as const;

export interface ProbeWorker {
  readonly container: string;
  readonly kind: ProbeKind;
  readonly nextAt: number;
  /** The container instance the worker is following. */
  readonly containerId: string | null;
  /** The published result for containerId (the results manager's value). */
  readonly result: ProbeResult;
  readonly lastResult: ProbeResult;
  readonly resultRun: number;
  readonly onHold: boolean;
  readonly stopped: boolean;
  /** When the worker last ran (ticks and manual readiness triggers alike). */
  readonly lastRunAt: number | null;
}

export function probeSpec(container: Container, kind: ProbeKind): Probe | undefined {
  return container[SPEC_FIELD[kind]];
}

function num(probe: Probe, field: keyof typeof PROBE_DEFAULTS): number {
  const v = probe[field];
  return typeof v === 'number' && v > 0 ? v : PROBE_DEFAULTS[field];
}

/** One worker per probe the container declares; each first ticks at `now`. */
export function newProbeWorkers(container: Container, now: number): ProbeWorker[] {
  return (['startup', 'liveness', 'readiness'] as const)
    .filter((kind) => probeSpec(container, kind) !== undefined)
    .map((kind) => ({ container: container.name, kind, nextAt: now, containerId: null, result: INITIAL_RESULT[kind], lastResult: 'Unknown', resultRun: 0, onHold: false, stopped: false, lastRunAt: null }));
}

function resolvePort(container: Container, port: number | string | undefined): number | null {
  if (typeof port === 'number') return port;
  if (port === undefined) return null;
  if (/^\d+$/.test(port)) return Number(port);
  return container.ports?.find((p) => p.name === port)?.containerPort ?? null;
}

/**
 * One check against the simulated process — or, for a container whose probes go over the bus (`bus` given,
 * bus-probes.ts), against the actor it stands for: the result and the prober's output text (null: prober
 * error, or no outcome yet).
 */
export function runCheck(kind: ProbeKind, probe: Probe, container: Container, record: ContainerRecord, podIP: string, at: number, bus?: BusHealth): { result: ProbeResult; output: string } | null {
  const timeoutS = num(probe, 'timeoutSeconds');
  let answer: HealthAnswer;
  if (bus !== undefined) {
    const outcome = busCheck(bus, at, timeoutS * 1000);
    if (outcome === null) return null;
    answer = { kind: outcome };
  } else {
    answer = healthAnswer(record.behavior, kind, at - (record.startedAt ?? at), timeoutS * 1000);
  }
  const ok = { result: 'Success' as const, output: '' };
  const fail = (output: string) => ({ result: 'Failure' as const, output });
  if (probe.httpGet) {
    const port = resolvePort(container, probe.httpGet.port);
    if (port === null) return null;
    const url = `${(probe.httpGet.scheme ?? 'HTTP').toLowerCase()}://${probe.httpGet.host ?? podIP}:${port}${probe.httpGet.path ?? '/'}`;
    if (answer.kind === 'ok') return ok;
    if (answer.kind === 'refused') return fail(`Get ${goQuote(url)}: dial tcp ${probe.httpGet.host ?? podIP}:${port}: connect: connection refused`);
    if (answer.kind === 'timeout') return fail(`Get ${goQuote(url)}: context deadline exceeded (Client.Timeout exceeded while awaiting headers)`);
    return fail(`HTTP probe failed with statuscode: ${answer.status}`);
  }
  if (probe.tcpSocket) {
    const port = resolvePort(container, probe.tcpSocket.port);
    if (port === null) return null;
    const addr = `${probe.tcpSocket.host ?? podIP}:${port}`;
    // A TCP check only sees the listening socket, not the application's health.
    if (answer.kind === 'refused') return fail(`dial tcp ${addr}: connect: connection refused`);
    if (answer.kind === 'timeout') return fail(`dial tcp ${addr}: i/o timeout`);
    return ok;
  }
  if (probe.grpc) {
    const addr = `${podIP}:${probe.grpc.port}`;
    if (answer.kind === 'ok') return ok;
    if (answer.kind === 'refused') return fail(`timeout: failed to connect service ${goQuote(addr)} within ${timeoutS}s`);
    if (answer.kind === 'timeout') return fail(`timeout: health rpc did not complete within ${timeoutS}s`);
    return fail('service unhealthy (responded with "NOT_SERVING")');
  }
  if (probe.exec) {
    if (answer.kind === 'ok') return ok;
    // The simulated command prints nothing; a timeout is reported by the exec prober itself.
    if (answer.kind === 'timeout') return fail(`command ${goQuote((probe.exec.command ?? []).join(' '))} timed out`);
    return fail('');
  }
  return null;
}

/** What a worker sees of its container when it ticks. */
export interface ProbeTarget {
  readonly pod: Pod;
  readonly container: Container;
  /** The container's latest instance, if any. */
  readonly record: ContainerRecord | undefined;
  /** Whether the container counts as started (startup probe passed, or none). */
  readonly started: boolean;
  readonly podIP: string;
  /** The bus health of the actor the container stands for (kubesim.io/probe-address), if it does. */
  readonly bus?: BusHealth;
}

export interface ProbeStep {
  readonly worker: ProbeWorker;
  readonly events: readonly KubeletEvent[];
}

/** worker.doProbe at time `at`, then schedule the next tick. */
export function doProbe(worker: ProbeWorker, target: ProbeTarget, at: number): ProbeStep {
  const step = triggerProbe(worker, target, at);
  const probe = probeSpec(target.container, worker.kind);
  const period = probe ? num(probe, 'periodSeconds') * 1000 : PROBE_DEFAULTS.periodSeconds * 1000;
  return { ...step, worker: { ...step.worker, nextAt: at + period } };
}

/**
 * One doProbe run at `at` without touching the schedule: what the readiness worker's manual trigger does when
 * the kubelet generates a status for a container that is not ready yet.
 */
export function triggerProbe(worker: ProbeWorker, target: ProbeTarget, at: number): ProbeStep {
  const step = probeOnce(worker, target, at);
  return { ...step, worker: { ...step.worker, lastRunAt: at } };
}

function probeOnce(w: ProbeWorker, t: ProbeTarget, at: number): ProbeStep {
  const none: readonly KubeletEvent[] = [];
  if (w.stopped) return { worker: w, events: none };
  const phase = t.pod.status?.phase;
  if (phase === 'Succeeded' || phase === 'Failed') return { worker: { ...w, stopped: true }, events: none };
  const c = t.record;
  if (c === undefined) return { worker: w, events: none };
  if (c.id !== w.containerId) w = { ...w, containerId: c.id, result: INITIAL_RESULT[w.kind], onHold: false };
  if (w.onHold) return { worker: w, events: none };
  if (c.state !== 'running') {
    const stop = c.state === 'exited' && t.pod.spec?.restartPolicy === 'Never';
    return { worker: { ...w, result: 'Failure', stopped: stop }, events: none };
  }
  if (t.pod.metadata?.deletionTimestamp && w.kind !== 'readiness') return { worker: { ...w, result: 'Success', stopped: true }, events: none };
  const probe = probeSpec(t.container, w.kind);
  if (probe === undefined) return { worker: w, events: none };
  if (Math.trunc((at - (c.startedAt ?? at)) / 1000) < num(probe, 'initialDelaySeconds')) return { worker: w, events: none };
  if (t.started ? w.kind === 'startup' : w.kind !== 'startup') return { worker: w, events: none };

  const check = runCheck(w.kind, probe, t.container, c, t.podIP, at, t.bus);
  if (check === null) return { worker: w, events: none };
  const events = check.result === 'Failure' ? [kubeletEvents.unhealthy(t.pod, t.container.name, PROBE_NAME[w.kind], check.output, at)] : none;
  const resultRun = w.lastResult === check.result ? w.resultRun + 1 : 1;
  w = { ...w, lastResult: check.result, resultRun };
  const threshold = check.result === 'Failure' ? num(probe, 'failureThreshold') : num(probe, 'successThreshold');
  if (resultRun < threshold) return { worker: w, events };
  w = { ...w, result: check.result };
  // A failed liveness/startup check means a restart: stop probing until the next container instance.
  if (w.kind !== 'readiness' && check.result === 'Failure') w = { ...w, onHold: true, resultRun: 0 };
  return { worker: w, events };
}

/** The published result of `kind` for container instance `containerId`, or undefined if none is known. */
export function publishedResult(workers: readonly ProbeWorker[], container: string, kind: ProbeKind, containerId: string): ProbeResult | undefined {
  const w = workers.find((x) => x.container === container && x.kind === kind);
  return w && w.containerId === containerId ? w.result : undefined;
}

export interface ContainerProbeView {
  readonly started: boolean;
  readonly ready: boolean;
}

/**
 * prober manager UpdatePodStatus for one running container: started once the startup probe succeeded (or
 * there is none); ready once started and the readiness probe succeeded (or there is none).
 */
export function probeView(workers: readonly ProbeWorker[], container: string, record: ContainerRecord | undefined): ContainerProbeView {
  if (record === undefined || record.state !== 'running') return { started: false, ready: false };
  const has = (kind: ProbeKind) => workers.some((w) => w.container === container && w.kind === kind);
  const started = !has('startup') || publishedResult(workers, container, 'startup', record.id) === 'Success';
  const ready = started && (!has('readiness') || publishedResult(workers, container, 'readiness', record.id) === 'Success');
  return { started, ready };
}

/** Why the kubelet kills a running container after a published liveness/startup failure (null: it does not). */
export function probeKillMessage(workers: readonly ProbeWorker[], pod: Pod, record: ContainerRecord): string | null {
  const failed = (['liveness', 'startup'] as const).find((kind) => publishedResult(workers, record.name, kind, record.id) === 'Failure');
  if (failed === undefined) return null;
  const restart = pod.spec?.restartPolicy !== 'Never';
  return `Container ${record.name} failed ${failed} probe${restart ? ', will be restarted' : ''}`;
}
