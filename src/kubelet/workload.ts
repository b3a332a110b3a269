// How a simulated container's process behaves, read from pod annotations.
//
// Annotation scheme — every setting can be given for the whole pod or for one container:
//   kubesim.io/<setting>               applies to every container (init containers included)
//   kubesim.io/<container>.<setting>   applies to that container only, and wins over the pod-wide value
// Container names are DNS labels (no dots), so the first "." always separates container from setting.
//
// Settings (times in virtual ms, measured from the container's start):
//   start-delay-ms            time until the process is "up": probes fail before, startup probes pass after (0)
//   exit-after-ms             the process exits by itself this long after start (never; init containers 1000)
//   exit-code                 its exit code: 0 → Completed, otherwise Error (0)
//   memory-usage              working set (a quantity, e.g. "300Mi") reached when the process is up; above the
//                             container's memory limit the kernel OOM-kills it: exit 137, reason OOMKilled (none)
//   liveness-fails-after-ms   liveness checks answer HTTP 500 from this time on (never)
//   readiness-fails-after-ms  readiness checks answer HTTP 503 from this time on (never)
//   probe-latency-ms          how long health checks take to answer; over timeoutSeconds they time out (0)
//   shutdown-delay-ms         time to exit after SIGTERM, or "never" if SIGTERM is ignored (0)
//   term-exit-code            exit code when exiting on SIGTERM (0; a SIGKILL after the grace period is 137)
// What the process writes to its log (`kubectl logs`, see src/kubelet/logs.ts):
//   log-lines                 the lines it prints when it starts, one per line of the value ("" for none;
//                             default: nginx's start-up output for nginx images, nothing for others)
//   log-every-ms              then one more line every this many ms while it runs (never)
//   log-line                  the text of those lines; "{n}" is replaced by 1, 2, … ("tick {n}")
//   exit-message              its last line when it exits by itself ("Error: exiting with code <code>" for a
//                             non-zero exit code, nothing for 0)
// Where its health checks go (src/kubelet/bus-probes.ts):
//   probe-address             an actor address on the bus: the container's probes succeed while that actor
//                             answers the host's health.probe, and time out while it is crashed. "$(NODE_NAME)"
//                             is replaced by the node's name (e.g. "$(NODE_NAME)/kube-proxy")
// Defaults: a container runs forever, starts at once, is healthy, and exits 0 promptly on SIGTERM.
import type { Container, Pod } from 'kubernetes-types/core/v1.js';
import { parseQuantity, quantityValue } from '../api/quantity.ts';

export const ANNOTATION_PREFIX = 'kubesim.io/';
/** Non-restartable init containers have to finish for the pod to start; by default they take 1 s. */
export const DEFAULT_INIT_RUN_MS = 1000;

export interface ContainerBehavior {
  readonly startDelayMs: number;
  readonly exitAfterMs: number | null;
  readonly exitCode: number;
  readonly memoryUsageBytes: number | null;
  readonly livenessFailsAfterMs: number | null;
  readonly readinessFailsAfterMs: number | null;
  readonly probeLatencyMs: number;
  /** null: the process ignores SIGTERM and is only stopped by SIGKILL. */
  readonly shutdownDelayMs: number | null;
  readonly termExitCode: number;
  /** Log settings (src/kubelet/logs.ts); absent: the image's default output. */
  readonly logLines?: readonly string[];
  readonly logEveryMs?: number;
  readonly logLine?: string;
  readonly exitMessage?: string;
  /** Probes go over the bus to this actor (src/kubelet/bus-probes.ts) instead of the workload model. */
  readonly probeAddress?: string;
}

export const DEFAULT_BEHAVIOR: ContainerBehavior = {
  startDelayMs: 0,
  exitAfterMs: null,
  exitCode: 0,
  memoryUsageBytes: null,
  livenessFailsAfterMs: null,
  readinessFailsAfterMs: null,
  probeLatencyMs: 0,
  shutdownDelayMs: 0,
  termExitCode: 0,
};

type Parser<T> = (raw: string) => T | undefined;

const millis: Parser<number> = (raw) => {
  const n = Number(raw.trim());
  return raw.trim() !== '' && Number.isFinite(n) && n >= 0 ? n : undefined;
};
const exitCode: Parser<number> = (raw) => {
  const n = Number(raw.trim());
  return Number.isInteger(n) && n >= 0 && n <= 255 ? n : undefined;
};
const bytes: Parser<number> = (raw) => {
  try {
    const v = quantityValue(parseQuantity(raw.trim()));
    return v >= 0n ? Number(v) : undefined;
  } catch {
    return undefined;
  }
};
const millisOrNever: Parser<number | null> = (raw) => (raw.trim() === 'never' ? null : millis(raw));
const positiveMillis: Parser<number> = (raw) => {
  const n = millis(raw);
  return n !== undefined && n > 0 ? n : undefined;
};
const text: Parser<string> = (raw) => raw;
/** One line per line of the value; a trailing newline (YAML's `|`) does not add an empty line. */
const lines: Parser<readonly string[]> = (raw) => (raw === '' ? [] : raw.replace(/\r\n/g, '\n').replace(/\n$/, '').split('\n'));

const SETTINGS = {
  'start-delay-ms': ['startDelayMs', millis],
  'exit-after-ms': ['exitAfterMs', millis],
  'exit-code': ['exitCode', exitCode],
  'memory-usage': ['memoryUsageBytes', bytes],
  'liveness-fails-after-ms': ['livenessFailsAfterMs', millis],
  'readiness-fails-after-ms': ['readinessFailsAfterMs', millis],
  'probe-latency-ms': ['probeLatencyMs', millis],
  'shutdown-delay-ms': ['shutdownDelayMs', millisOrNever],
  'term-exit-code': ['termExitCode', exitCode],
  'log-lines': ['logLines', lines],
  'log-every-ms': ['logEveryMs', positiveMillis],
  'log-line': ['logLine', text],
  'exit-message': ['exitMessage', text],
  'probe-address': ['probeAddress', text],
} as const satisfies Record<string, readonly [keyof ContainerBehavior, Parser<unknown>]>;

export type WorkloadSetting = keyof typeof SETTINGS;
export const WORKLOAD_SETTINGS = Object.keys(SETTINGS) as WorkloadSetting[];

function isRestartableInit(pod: Pod, name: string): boolean {
  return (pod.spec?.initContainers ?? []).some((c) => c.name === name && c.restartPolicy === 'Always');
}

function isInitContainer(pod: Pod, name: string): boolean {
  return (pod.spec?.initContainers ?? []).some((c) => c.name === name);
}

/** The behavior of container `name` in `pod`. Unparseable values are ignored (see validateWorkloadAnnotations). */
export function containerBehavior(pod: Pod, name: string): ContainerBehavior {
  const annotations = pod.metadata?.annotations ?? {};
  const out: Record<string, unknown> = { ...DEFAULT_BEHAVIOR };
  if (isInitContainer(pod, name) && !isRestartableInit(pod, name)) out.exitAfterMs = DEFAULT_INIT_RUN_MS;
  for (const [setting, [field, parse]] of Object.entries(SETTINGS)) {
    // Container-specific values are applied last so they override pod-wide ones.
    for (const key of [`${ANNOTATION_PREFIX}${setting}`, `${ANNOTATION_PREFIX}${name}.${setting}`]) {
      const raw = annotations[key];
      if (raw === undefined) continue;
      const value = (parse as Parser<unknown>)(raw);
      if (value !== undefined) out[field] = value;
    }
  }
  return out as unknown as ContainerBehavior;
}

/** Problems with kubesim.io/ annotations: unknown settings, unknown containers, unparseable values. */
export function validateWorkloadAnnotations(pod: Pod): string[] {
  const containers = new Set<string>([...(pod.spec?.containers ?? []), ...(pod.spec?.initContainers ?? [])].map((c: Container) => c.name));
  const problems: string[] = [];
  for (const [key, raw] of Object.entries(pod.metadata?.annotations ?? {})) {
    if (!key.startsWith(ANNOTATION_PREFIX)) continue;
    const rest = key.slice(ANNOTATION_PREFIX.length);
    const dot = rest.indexOf('.');
    const [container, setting] = dot < 0 ? [null, rest] : [rest.slice(0, dot), rest.slice(dot + 1)];
    if (!(setting in SETTINGS)) {
      problems.push(`${key}: unknown setting ${JSON.stringify(setting)}`);
      continue;
    }
    if (container !== null && !containers.has(container)) problems.push(`${key}: no container named ${JSON.stringify(container)}`);
    const [, parse] = SETTINGS[setting as WorkloadSetting];
    if ((parse as Parser<unknown>)(raw) === undefined) problems.push(`${key}: invalid value ${JSON.stringify(raw)}`);
  }
  return problems;
}

export type HealthCheck = 'liveness' | 'readiness' | 'startup';

export type HealthAnswer =
  | { readonly kind: 'ok' }
  /** Nothing listens yet: the process is not up. */
  | { readonly kind: 'refused' }
  /** The application answers with an error status (HTTP 500 for liveness, 503 for readiness). */
  | { readonly kind: 'error'; readonly status: number }
  | { readonly kind: 'timeout' };

/**
 * What the application answers to a health check `sinceStartMs` after its start, given a probe timeout.
 * Startup checks pass as soon as the process is up; liveness and readiness may later start failing.
 */
export function healthAnswer(behavior: ContainerBehavior, check: HealthCheck, sinceStartMs: number, timeoutMs: number): HealthAnswer {
  if (sinceStartMs < behavior.startDelayMs) return { kind: 'refused' };
  if (behavior.probeLatencyMs > timeoutMs) return { kind: 'timeout' };
  const failsAfter =
    check === 'liveness' ? behavior.livenessFailsAfterMs : check === 'readiness' ? behavior.readinessFailsAfterMs : null;
  if (failsAfter !== null && sinceStartMs >= failsAfter) return { kind: 'error', status: check === 'liveness' ? 500 : 503 };
  return { kind: 'ok' };
}
