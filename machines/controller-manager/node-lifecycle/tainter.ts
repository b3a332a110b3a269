// A zone's NoExecute tainter: upstream's RateLimitedTimedQueue — a queue of node names that remembers
// every name ever added until it is explicitly removed (so a node is tainted once per outage) — drained
// through a token bucket of --node-eviction-rate with burst 1, swapped for another rate when the zone's
// disruption state changes.

/** flowcontrol.NewTokenBucketRateLimiter(qps, 1) as data; qps 0 is the never-accepting limiter. */
export interface TokenBucket {
  readonly qps: number;
  readonly tokens: number;
  readonly at: number;
}

export interface TimedValue {
  readonly node: string;
  readonly uid: string;
  readonly addedAt: number;
  readonly processAt: number;
}

export interface Tainter {
  readonly limiter: TokenBucket;
  /** Ordered by processAt, then addedAt. */
  readonly queue: readonly TimedValue[];
  /** Names added and not removed (UniqueQueue's set): adding one again is a no-op. */
  readonly set: Readonly<Record<string, true>>;
}

const BURST = 1;

export function newTokenBucket(qps: number, now: number): TokenBucket {
  return { qps, tokens: BURST, at: now };
}

function refill(b: TokenBucket, now: number): TokenBucket {
  if (b.qps <= 0) return b;
  return { ...b, tokens: Math.min(BURST, b.tokens + ((now - b.at) / 1000) * b.qps), at: now };
}

/** TryAccept: takes a token if one is there. */
export function tryAccept(b: TokenBucket, now: number): [boolean, TokenBucket] {
  if (b.qps <= 0) return [false, b];
  const filled = refill(b, now);
  // A little slack for floating point: a token due at exactly `now` is there.
  return filled.tokens >= 1 - 1e-9 ? [true, { ...filled, tokens: Math.max(0, filled.tokens - 1) }] : [false, filled];
}

/** When the next token is there; undefined for a limiter that never accepts. */
export function nextTokenAt(b: TokenBucket, now: number): number | undefined {
  if (b.qps <= 0) return undefined;
  const filled = refill(b, now);
  return filled.tokens >= 1 - 1e-9 ? now : now + Math.ceil(((1 - filled.tokens) / b.qps) * 1000);
}

export function newTainter(qps: number, now: number): Tainter {
  return { limiter: newTokenBucket(qps, now), queue: [], set: {} };
}

/** SwapLimiter: a new bucket at the new rate, drained if the old one was (burst 1). */
export function swapLimiter(t: Tainter, qps: number, now: number): Tainter {
  if (t.limiter.qps === qps) return t;
  if (qps <= 0) return { ...t, limiter: { qps: 0, tokens: 0, at: now } };
  const [hadToken] = tryAccept(t.limiter, now);
  return { ...t, limiter: { qps, tokens: hadToken ? BURST : 0, at: now } };
}

function sorted(queue: readonly TimedValue[]): TimedValue[] {
  return [...queue].sort((a, b) => a.processAt - b.processAt || a.addedAt - b.addedAt || a.node.localeCompare(b.node));
}

/** Add: false when the name is already in the set. */
export function tainterAdd(t: Tainter, node: string, uid: string, now: number): [boolean, Tainter] {
  if (t.set[node]) return [false, t];
  return [true, { ...t, set: { ...t.set, [node]: true }, queue: sorted([...t.queue, { node, uid, addedAt: now, processAt: now }]) }];
}

/** Remove: from the queue and the set (so it can be added again). */
export function tainterRemove(t: Tainter, node: string): [boolean, Tainter] {
  if (!t.set[node]) return [false, t];
  const set = { ...t.set };
  delete set[node];
  return [true, { ...t, set, queue: t.queue.filter((v) => v.node !== node) }];
}

/** RemoveFromQueue: done with it, but it stays in the set. */
export function tainterDone(t: Tainter, node: string): Tainter {
  return { ...t, queue: t.queue.filter((v) => v.node !== node) };
}

/** Replace: try this node again at `processAt`. */
export function tainterRetry(t: Tainter, node: string, processAt: number): Tainter {
  return { ...t, queue: sorted(t.queue.map((v) => (v.node === node ? { ...v, processAt } : v))) };
}

/** When the tainter can next do something: its head is due and a token is there. */
export function tainterNextAt(t: Tainter, now: number): number | undefined {
  const head = t.queue[0];
  if (!head) return undefined;
  const token = nextTokenAt(t.limiter, now);
  return token === undefined ? undefined : Math.max(token, head.processAt);
}
