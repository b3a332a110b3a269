import { describe, expect, it } from 'vitest';
import {
  DEFAULT_CONTROLLER_RATE_LIMITER, newRateLimiter, newWorkQueue, queueAdd, queueAddAfter, queueAddRateLimited, queueDone,
  queueForget, queueGet, queueLen, queueNextReadyAt, queueNumRequeues, queuePromoteDue, rateLimiterWhen, type WorkQueue,
} from '../../src/client/index.ts';

function drain(q: WorkQueue): [string[], WorkQueue] {
  const keys: string[] = [];
  let current = q;
  for (;;) {
    const [key, next] = queueGet(current);
    if (key === undefined) return [keys, current];
    keys.push(key);
    current = next;
  }
}

describe('work queue', () => {
  it('deduplicates keys that are already queued and keeps FIFO order', () => {
    let q = newWorkQueue();
    for (const key of ['a', 'b', 'a', 'c', 'b']) q = queueAdd(q, key);
    expect(queueLen(q)).toBe(3);
    expect(drain(q)[0]).toEqual(['a', 'b', 'c']);
  });

  it('never hands out a key being processed; one added meanwhile comes back once, after done', () => {
    let q = queueAdd(newWorkQueue(), 'a');
    const [key, taken] = queueGet(q);
    expect(key).toBe('a');
    q = queueAdd(queueAdd(taken, 'a'), 'a');
    expect(queueGet(q)[0]).toBeUndefined();
    q = queueDone(q, 'a');
    expect(drain(q)[0]).toEqual(['a']);
  });

  it('does not requeue a processed key nobody added again', () => {
    const [, taken] = queueGet(queueAdd(newWorkQueue(), 'a'));
    expect(queueLen(queueDone(taken, 'a'))).toBe(0);
  });

  it('holds delayed keys until their time, keeping the earlier of two ready times', () => {
    let q = queueAddAfter(newWorkQueue(), 'a', 100, 0);
    q = queueAddAfter(q, 'b', 50, 0);
    q = queueAddAfter(q, 'a', 300, 0);
    expect(queueNextReadyAt(q)).toBe(50);
    expect(queueLen(queuePromoteDue(q, 49))).toBe(0);
    expect(drain(queuePromoteDue(q, 100))[0]).toEqual(['b', 'a']);
    expect(queueLen(queueAddAfter(newWorkQueue(), 'now', 0, 0))).toBe(1);
  });

  it('backs a failing key off exponentially from 5 ms, and forget resets it', () => {
    let q = newWorkQueue({ baseDelayMs: 5, maxDelayMs: 1_000_000 });
    const delays: number[] = [];
    for (let i = 0; i < 5; i++) {
      q = queueAddRateLimited(q, 'a', 0);
      delays.push(queueNextReadyAt(q)!);
      q = { ...q, waiting: [] };
    }
    expect(delays).toEqual([5, 10, 20, 40, 80]);
    expect(queueNumRequeues(q, 'a')).toBe(5);
    q = queueForget(q, 'a');
    expect(queueNumRequeues(q, 'a')).toBe(0);
    expect(queueNextReadyAt(queueAddRateLimited(q, 'a', 0))).toBe(5);
  });

  it('caps the per-item back-off at 1000 s', () => {
    let limiter = newRateLimiter({ baseDelayMs: 5, maxDelayMs: 1_000_000 });
    let delay = 0;
    for (let i = 0; i < 30; i++) [delay, limiter] = rateLimiterWhen(limiter, 'a', 0);
    expect(delay).toBe(1_000_000);
  });

  it('lets the overall bucket (10 qps, burst 100) slow a storm of distinct failing keys', () => {
    let limiter = newRateLimiter(DEFAULT_CONTROLLER_RATE_LIMITER);
    const delays: number[] = [];
    for (let i = 0; i < 102; i++) {
      let delay: number;
      [delay, limiter] = rateLimiterWhen(limiter, `key-${i}`, 0);
      delays.push(delay);
    }
    expect(delays.slice(0, 100).every((d) => d === 5)).toBe(true);
    expect(delays.slice(100)).toEqual([100, 200]);
  });
});
