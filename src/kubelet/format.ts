// Formatting helpers that reproduce Go's output in kubelet messages and kubectl columns:
// time.Duration.String() ("2.1s", "5m0s"), k8s.io/apimachinery duration.HumanDuration ("3m20s", "5d"),
// metav1.Time / metav1.MicroTime serialization, and fmt's %s of a []string ("[app sidecar]").

/**
 * Virtual time 0 as wall-clock time. The simulation counts virtual milliseconds from 0; API timestamps need
 * a calendar date. The Kubernetes v1.30 release day keeps timestamps plausible and stable across runs.
 */
export const KUBESIM_EPOCH_MS = Date.UTC(2024, 3, 17, 0, 0, 0);

/** metav1.Time: RFC 3339 truncated to whole seconds, always UTC ("2024-04-17T00:00:05Z"). */
export function rfc3339(virtualMs: number): string {
  const wall = KUBESIM_EPOCH_MS + Math.floor(virtualMs / 1000) * 1000;
  return new Date(wall).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/** metav1.MicroTime: RFC 3339 with exactly six fractional digits ("2024-04-17T00:00:05.250000Z"). */
export function microTime(virtualMs: number): string {
  const micros = Math.floor(virtualMs * 1000);
  const wholeSeconds = Math.floor(micros / 1_000_000);
  const fraction = String(micros - wholeSeconds * 1_000_000).padStart(6, '0');
  return rfc3339(wholeSeconds * 1000).replace(/Z$/, `.${fraction}Z`);
}

/** Inverse of rfc3339/microTime: a timestamp string back to virtual ms. */
export function parseTimestamp(text: string): number {
  const wall = Date.parse(text);
  if (Number.isNaN(wall)) throw new Error(`invalid timestamp ${JSON.stringify(text)}`);
  const micro = /\.(\d+)Z$/.exec(text);
  // Date.parse keeps only milliseconds; MicroTime carries microseconds.
  const extra = micro ? (Number(micro[1].padEnd(6, '0').slice(0, 6)) % 1000) / 1000 : 0;
  return wall - KUBESIM_EPOCH_MS + extra;
}

const NS_PER_MS = 1_000_000n;

// Go's fmtFrac/fmtInt: prints v/10^prec with trailing fractional zeros (and a lone ".") dropped.
function fraction(v: bigint, prec: number): [digits: string, rest: bigint] {
  let out = '';
  let printed = false;
  for (let i = 0; i < prec; i++) {
    const digit = v % 10n;
    printed = printed || digit !== 0n;
    if (printed) out = `${digit}${out}`;
    v /= 10n;
  }
  return [printed ? `.${out}` : '', v];
}

/** time.Duration.String() for a duration in (possibly fractional) milliseconds. */
export function goDuration(ms: number): string {
  let ns = BigInt(Math.round(ms * 1e6));
  const negative = ns < 0n;
  if (negative) ns = -ns;
  const sign = negative ? '-' : '';
  if (ns === 0n) return '0s';
  if (ns < 1_000_000_000n) {
    // Sub-second durations use the largest unit that keeps an integer part: ns, µs or ms.
    if (ns < 1_000n) return `${sign}${ns}ns`;
    const [prec, unit] = ns < NS_PER_MS ? [3, 'µs'] : [6, 'ms'];
    const [frac, whole] = fraction(ns, prec);
    return `${sign}${whole}${frac}${unit}`;
  }
  const [frac, seconds] = fraction(ns, 9);
  const s = seconds % 60n;
  const minutes = seconds / 60n;
  if (minutes === 0n) return `${sign}${s}${frac}s`;
  const m = minutes % 60n;
  const hours = minutes / 60n;
  if (hours === 0n) return `${sign}${m}m${s}${frac}s`;
  return `${sign}${hours}h${m}m${s}${frac}s`;
}

/** duration.HumanDuration, as kubectl prints AGE and "(20s ago)". */
export function humanDuration(ms: number): string {
  const seconds = Math.trunc(ms / 1000);
  if (seconds < -1) return '<invalid>';
  if (seconds < 0) return '0s';
  if (seconds < 60 * 2) return `${seconds}s`;
  const minutes = Math.trunc(seconds / 60);
  if (minutes < 10) {
    const s = seconds % 60;
    return s === 0 ? `${minutes}m` : `${minutes}m${s}s`;
  }
  if (minutes < 60 * 3) return `${minutes}m`;
  const hours = Math.trunc(minutes / 60);
  if (hours < 8) {
    const m = minutes % 60;
    return m === 0 ? `${hours}h` : `${hours}h${m}m`;
  }
  if (hours < 48) return `${hours}h`;
  if (hours < 24 * 8) {
    const h = hours % 24;
    return h === 0 ? `${Math.trunc(hours / 24)}d` : `${Math.trunc(hours / 24)}d${h}h`;
  }
  if (hours < 24 * 365 * 2) return `${Math.trunc(hours / 24)}d`;
  if (hours < 24 * 365 * 8) {
    const days = Math.trunc(hours / 24) % 365;
    const years = Math.trunc(hours / 24 / 365);
    return days === 0 ? `${years}y` : `${years}y${days}d`;
  }
  return `${Math.trunc(hours / 24 / 365)}y`;
}

/** fmt's %s of a []string: "[app sidecar]". */
export function goList(items: readonly string[]): string {
  return `[${items.join(' ')}]`;
}
