// Container logs: what a simulated process writes to stdout/stderr, as the container runtime's log file
// (/var/log/pods/<namespace>_<pod>_<uid>/<container>/<restartCount>.log, CRI log format) holds it, and how
// the kubelet reads it for `kubectl logs` (tailLines, sinceSeconds/sinceTime, timestamps, limitBytes).
//
// The file's content is a pure function of the container record (its workload settings, start, exit and
// stop times) and of how far time has run: a line exists once its time has come. The runtime's durable
// record *is* therefore the durable log — a restarted runtime or kubelet reads the same lines — and the
// file never has to be copied into the runtime snapshot every CRI answer carries (see docs/kubelet.md).
import { KUBESIM_EPOCH_MS } from './format.ts';
import { normalizeImage } from './registry.ts';
import type { ContainerRecord } from './runtime.ts';

export type LogStream = 'stdout' | 'stderr';

export interface LogLine {
  /** Virtual ms when the process wrote it. */
  readonly at: number;
  readonly stream: LogStream;
  readonly text: string;
}

/** Lines written in one burst (start-up output, shutdown) are this far apart, so each has its own timestamp. */
export const LINE_SPACING_MS = 0.1;
export const DEFAULT_LOG_LINE = 'tick {n}';

// ---------------------------------------------------------------------------------------------------------
// Timestamps

/** Whole wall-clock ms and the nanoseconds within that ms, without losing precision to float arithmetic. */
function wallParts(virtualMs: number): { wallMs: number; nanos: number } {
  let whole = Math.floor(virtualMs);
  let nanos = Math.round((virtualMs - whole) * 1e6);
  if (nanos >= 1e6) [whole, nanos] = [whole + 1, nanos - 1e6];
  return { wallMs: KUBESIM_EPOCH_MS + whole, nanos };
}

function fractionDigits(virtualMs: number): { base: string; digits: string } {
  const { wallMs, nanos } = wallParts(virtualMs);
  const iso = new Date(wallMs).toISOString(); // 2024-04-17T00:00:05.123Z
  const digits = `${iso.slice(20, 23)}${String(nanos).padStart(6, '0')}`;
  return { base: iso.slice(0, 19), digits };
}

/** Go's time.RFC3339Nano (trailing zeros dropped), as containerd writes it in log files. */
export function rfc3339Nano(virtualMs: number): string {
  const { base, digits } = fractionDigits(virtualMs);
  const trimmed = digits.replace(/0+$/, '');
  return trimmed === '' ? `${base}Z` : `${base}.${trimmed}Z`;
}

/** RFC3339NanoFixed (always nine digits), as the kubelet prints `timestamps=true` lines. */
export function rfc3339NanoFixed(virtualMs: number): string {
  const { base, digits } = fractionDigits(virtualMs);
  return `${base}.${digits}Z`;
}

/** nginx's error-log time: "2024/04/17 00:00:05" (containers run in UTC). */
function nginxTime(virtualMs: number): string {
  const iso = new Date(wallParts(virtualMs).wallMs).toISOString();
  return `${iso.slice(0, 10).replace(/-/g, '/')} ${iso.slice(11, 19)}`;
}

// ---------------------------------------------------------------------------------------------------------
// What a process writes

const NGINX_REPOSITORY = 'docker.io/library/nginx';
/** What a minor-version tag resolves to on Docker Hub. */
const NGINX_RELEASES: Readonly<Record<string, string>> = { '1.24': '1.24.0', '1.25': '1.25.5', '1.26': '1.26.2', '1.27': '1.27.2', latest: '1.27.2', stable: '1.26.2', mainline: '1.27.2' };
const NGINX_WORKERS = [29, 30];

function isNginx(c: ContainerRecord): boolean {
  return normalizeImage(c.image).repository === NGINX_REPOSITORY;
}

function nginxVersion(c: ContainerRecord): string {
  const tag = normalizeImage(c.image).tag ?? 'latest';
  const base = tag.split('-')[0];
  return NGINX_RELEASES[base] ?? (/^\d+\.\d+\.\d+$/.test(base) ? base : NGINX_RELEASES.latest);
}

function burst(from: number, stream: LogStream, texts: readonly string[]): LogLine[] {
  return texts.map((text, i) => ({ at: from + i * LINE_SPACING_MS, stream, text }));
}

/** The official nginx image's start-up output: its entrypoint (stdout), then nginx's notices (stderr) once up. */
function nginxStartup(c: ContainerRecord, started: number, up: number): LogLine[] {
  const entrypoint = [
    '/docker-entrypoint.sh: /docker-entrypoint.d/ is not empty, will attempt to perform configuration',
    '/docker-entrypoint.sh: Looking for shell scripts in /docker-entrypoint.d/',
    '/docker-entrypoint.sh: Launching /docker-entrypoint.d/10-listen-on-ipv6-by-default.sh',
    '10-listen-on-ipv6-by-default.sh: info: Getting the checksum of /etc/nginx/conf.d/default.conf',
    '10-listen-on-ipv6-by-default.sh: info: Enabled listen on IPv6 in /etc/nginx/conf.d/default.conf',
    '/docker-entrypoint.sh: Sourcing /docker-entrypoint.d/15-local-resolvers.envsh',
    '/docker-entrypoint.sh: Launching /docker-entrypoint.d/20-envsubst-on-templates.sh',
    '/docker-entrypoint.sh: Launching /docker-entrypoint.d/30-tune-worker-processes.sh',
    '/docker-entrypoint.sh: Configuration complete; ready for start up',
  ];
  const notices = [
    'using the "epoll" event method',
    `nginx/${nginxVersion(c)}`,
    'built by gcc 12.2.0 (Debian 12.2.0-14) ',
    'OS: Linux 6.1.0-kubesim',
    'getrlimit(RLIMIT_NOFILE): 1048576:1048576',
    'start worker processes',
    ...NGINX_WORKERS.map((pid) => `start worker process ${pid}`),
  ];
  const ready = Math.max(up, started + entrypoint.length * LINE_SPACING_MS);
  return [
    ...burst(started, 'stdout', entrypoint),
    ...burst(ready, 'stderr', notices).map((l) => ({ ...l, text: `${nginxTime(l.at)} [notice] 1#1: ${l.text}` })),
  ];
}

/** nginx on the image's stop signal (SIGQUIT): a graceful shutdown; its last lines once it has exited. */
function nginxShutdown(signalAt: number, exitedAt: number | null): LogLine[] {
  const lines = [{ at: signalAt, stream: 'stderr' as const, text: `${nginxTime(signalAt)} [notice] 1#1: signal 3 (SIGQUIT) received, shutting down` }];
  if (exitedAt === null) return lines;
  const texts = [...NGINX_WORKERS.map((pid) => `${pid}#${pid}: exit`), '1#1: exit'];
  return [...lines, ...burst(exitedAt, 'stderr', texts).map((l) => ({ ...l, text: `${nginxTime(l.at)} [notice] ${l.text}` }))];
}

/** The process exited by itself, at the time its workload said (not stopped, not OOM-killed, not killed with its sandbox). */
function exitedByItself(c: ContainerRecord): boolean {
  const b = c.behavior;
  return (
    c.state === 'exited' && c.startedAt !== null && c.reason !== 'OOMKilled' && b.exitAfterMs !== null &&
    c.finishedAt === c.startedAt + b.exitAfterMs && c.exitCode === b.exitCode
  );
}

function exitMessage(c: ContainerRecord): string | undefined {
  const configured = c.behavior.exitMessage;
  if (configured !== undefined) return configured === '' ? undefined : configured;
  return c.exitCode !== 0 ? `Error: exiting with code ${c.exitCode}` : undefined;
}

/** What the process prints as it starts: its configured lines, or its image's usual output. */
function startupLines(c: ContainerRecord, start: number): LogLine[] {
  const b = c.behavior;
  if (b.logLines !== undefined) return burst(start, 'stdout', b.logLines);
  return isNginx(c) ? nginxStartup(c, start, start + b.startDelayMs) : [];
}

/** The periodic line number n (1-based) is written at start + n·every. */
function periodicLines(c: ContainerRecord, start: number, end: number, after: number): LogLine[] {
  const every = c.behavior.logEveryMs;
  if (every === undefined || every <= 0) return [];
  const template = c.behavior.logLine ?? DEFAULT_LOG_LINE;
  const out: LogLine[] = [];
  for (let n = after <= start ? 1 : Math.max(1, Math.floor((after - start) / every)); start + n * every <= end; n++) {
    const at = start + n * every;
    if (at > after) out.push({ at, stream: 'stdout', text: template.replaceAll('{n}', String(n)) });
  }
  return out;
}

/**
 * The lines of one container instance's log written in (after, until], oldest first: its start-up output, the
 * periodic lines while it runs, and what it writes when it stops or exits. Lines only ever get appended:
 * the lines up to t are the same whatever later `until` is asked.
 */
export function containerLog(c: ContainerRecord, until: number, after = -Infinity): LogLine[] {
  if (c.startedAt === null) return [];
  const start = c.startedAt;
  const ended = c.state === 'exited' && c.finishedAt !== null ? c.finishedAt : null;
  const end = Math.min(until, ended ?? Infinity);
  const b = c.behavior;
  const lines: LogLine[] = [...startupLines(c, start)];
  lines.push(...periodicLines(c, start, end, after));
  if (c.stopRequestedAt !== null && (ended === null || c.stopRequestedAt <= ended) && c.reason !== 'OOMKilled') {
    // Stopped by the kubelet: only what the process itself prints on its stop signal.
    if (isNginx(c) && b.logLines === undefined) lines.push(...nginxShutdown(c.stopRequestedAt, ended !== null && c.exitCode !== 137 ? ended : null));
  } else if (ended !== null && exitedByItself(c)) {
    const message = exitMessage(c);
    if (message !== undefined) lines.push({ at: ended, stream: 'stderr', text: message });
  }
  return lines.filter((l) => l.at > after && l.at <= until).sort((x, y) => x.at - y.at);
}

/**
 * When the log may next grow, after `after` (null: it will not by itself): the next start-up or periodic line,
 * or the process's scheduled exit (with its last line). A follower wakes up then instead of polling.
 */
export function nextLogLineAt(c: ContainerRecord, after: number): number | null {
  if (c.startedAt === null) return null;
  const candidates: number[] = [];
  if (c.state === 'running') {
    const every = c.behavior.logEveryMs;
    if (every !== undefined && every > 0) candidates.push(c.startedAt + (Math.floor(Math.max(0, after - c.startedAt) / every) + 1) * every);
    if (c.scheduledExit) candidates.push(c.scheduledExit.at);
    // Start-up output still to come (nginx's notices once it is up).
    const pending = startupLines(c, c.startedAt).find((l) => l.at > after);
    if (pending) candidates.push(pending.at);
  }
  const future = candidates.filter((t) => t > after);
  return future.length === 0 ? null : Math.min(...future);
}

// ---------------------------------------------------------------------------------------------------------
// The file and reading it

/** /var/log/pods/<namespace>_<pod>_<uid>/<container>/<restartCount>.log */
export function containerLogPath(namespace: string, pod: string, uid: string, container: string, attempt: number): string {
  return `/var/log/pods/${namespace}_${pod}_${uid}/${container}/${attempt}.log`;
}

/** The lines as the runtime's log file holds them (CRI format: `<RFC3339Nano> <stream> F <content>`). */
export function criLogFile(lines: readonly LogLine[]): string {
  return lines.map((l) => `${rfc3339Nano(l.at)} ${l.stream} F ${l.text}\n`).join('');
}

/** v1.PodLogOptions, as the kubelet's /containerLogs endpoint receives them. */
export interface PodLogOptions {
  readonly follow?: boolean;
  readonly previous?: boolean;
  readonly timestamps?: boolean;
  readonly tailLines?: number;
  readonly sinceSeconds?: number;
  /** RFC 3339. */
  readonly sinceTime?: string;
  readonly limitBytes?: number;
}

/** The earliest line time the options want (sinceSeconds counts back from `now`), or -Infinity. */
export function sinceOf(options: PodLogOptions, now: number): number {
  if (options.sinceSeconds !== undefined) return now - options.sinceSeconds * 1000;
  if (options.sinceTime !== undefined) {
    const wall = Date.parse(options.sinceTime);
    if (!Number.isNaN(wall)) return wall - KUBESIM_EPOCH_MS;
  }
  return -Infinity;
}

/** The kubelet's ReadLogs selection: the last `tailLines` lines of the file, then those not before `since`. */
export function selectLines(lines: readonly LogLine[], options: PodLogOptions, now: number): LogLine[] {
  const tail = options.tailLines;
  const tailed = tail === undefined || tail < 0 ? lines : tail === 0 ? [] : lines.slice(-tail);
  const since = sinceOf(options, now);
  return since === -Infinity ? [...tailed] : tailed.filter((l) => l.at >= since);
}

/** What the kubelet writes for these lines: their content, prefixed with their time when `timestamps`. */
export function formatLines(lines: readonly LogLine[], options: PodLogOptions): string {
  return lines.map((l) => `${options.timestamps ? `${rfc3339NanoFixed(l.at)} ` : ''}${l.text}\n`).join('');
}

/** At most `limit` bytes of `text` (UTF-8), and how many bytes remain allowed after it. */
export function limitBytes(text: string, limit: number | undefined): { text: string; remaining: number | undefined } {
  if (limit === undefined) return { text, remaining: undefined };
  const bytes = Buffer.from(text, 'utf8');
  if (bytes.length <= limit) return { text, remaining: limit - bytes.length };
  return { text: bytes.subarray(0, limit).toString('utf8'), remaining: 0 };
}
