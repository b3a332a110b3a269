// client-go's rate-limited work queue as an immutable value, with its exact semantics:
//  - dedup: a key added while queued is not queued twice;
//  - a key added while being processed is queued again only when `done` is called (never processed twice
//    at once);
//  - `addAfter` holds a key until its ready time (an earlier ready time wins), `addRateLimited` holds it for
//    the rate limiter's delay, `forget` resets its back-off.
// Time is always an explicit `now`; the owner wakes up at `nextReadyAt` and calls `promoteDue`.
import {
  newRateLimiter, rateLimiterForget, rateLimiterNumRequeues, rateLimiterWhen,
  type RateLimiterConfig, type RateLimiterState,
} from './rate-limiter.ts';

export interface WaitingItem {
  readonly key: string;
  readonly readyAt: number;
}

export interface WorkQueue {
  /** Ready keys, FIFO. */
  readonly queue: readonly string[];
  /** Keys that need processing (queued, or re-queued once their current processing is done). */
  readonly dirty: Readonly<Record<string, true>>;
  readonly processing: Readonly<Record<string, true>>;
  /** Delayed keys, ordered by ready time then insertion. */
  readonly waiting: readonly WaitingItem[];
  readonly limiter: RateLimiterState;
}

export function newWorkQueue(limiter?: RateLimiterConfig): WorkQueue {
  return { queue: [], dirty: {}, processing: {}, waiting: [], limiter: newRateLimiter(limiter) };
}

export function queueAdd(q: WorkQueue, key: string): WorkQueue {
  if (q.dirty[key]) return q;
  const dirty = { ...q.dirty, [key]: true as const };
  if (q.processing[key]) return { ...q, dirty };
  return { ...q, dirty, queue: [...q.queue, key] };
}

export function queueAddAfter(q: WorkQueue, key: string, delayMs: number, now: number): WorkQueue {
  if (delayMs <= 0) return queueAdd(q, key);
  const readyAt = now + delayMs;
  const existing = q.waiting.find((item) => item.key === key);
  if (existing && existing.readyAt <= readyAt) return q;
  const others = q.waiting.filter((item) => item.key !== key);
  const at = others.findIndex((item) => item.readyAt > readyAt);
  const waiting = at < 0 ? [...others, { key, readyAt }] : [...others.slice(0, at), { key, readyAt }, ...others.slice(at)];
  return { ...q, waiting };
}

export function queueAddRateLimited(q: WorkQueue, key: string, now: number): WorkQueue {
  const [delay, limiter] = rateLimiterWhen(q.limiter, key, now);
  return queueAddAfter({ ...q, limiter }, key, delay, now);
}

export function queueForget(q: WorkQueue, key: string): WorkQueue {
  const limiter = rateLimiterForget(q.limiter, key);
  return limiter === q.limiter ? q : { ...q, limiter };
}

export function queueNumRequeues(q: WorkQueue, key: string): number {
  return rateLimiterNumRequeues(q.limiter, key);
}

/** Get: the next ready key, now marked as processing. */
export function queueGet(q: WorkQueue): [key: string | undefined, queue: WorkQueue] {
  const [key, ...rest] = q.queue;
  if (key === undefined) return [undefined, q];
  const dirty = { ...q.dirty };
  delete dirty[key];
  return [key, { ...q, queue: rest, dirty, processing: { ...q.processing, [key]: true } }];
}

export function queueDone(q: WorkQueue, key: string): WorkQueue {
  if (!q.processing[key]) return q;
  const processing = { ...q.processing };
  delete processing[key];
  const next = { ...q, processing };
  return q.dirty[key] ? { ...next, queue: [...next.queue, key] } : next;
}

/** Moves every delayed key whose time has come into the queue. */
export function queuePromoteDue(q: WorkQueue, now: number): WorkQueue {
  let next: WorkQueue = q;
  let due = 0;
  while (due < q.waiting.length && q.waiting[due].readyAt <= now) {
    next = queueAdd(next, q.waiting[due].key);
    due++;
  }
  return due === 0 ? q : { ...next, waiting: q.waiting.slice(due) };
}

export function queueNextReadyAt(q: WorkQueue): number | undefined {
  return q.waiting[0]?.readyAt;
}

export function queueLen(q: WorkQueue): number {
  return q.queue.length;
}

export function queueIsProcessing(q: WorkQueue, key: string): boolean {
  return q.processing[key] === true;
}
