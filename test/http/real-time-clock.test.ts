import { describe, expect, it } from 'vitest';
import { RealTimeClock } from '../../src/sim/clock.ts';

/**
 * The live clock under the front door keeps the order virtual time has: the bus computes an absolute
 * delivery time and passes `deliverAt - now()`; deliveries on one link must fire in send order even when
 * the event loop is busy. (Out-of-order deliveries made the apiserver's watch cache drop etcd events.)
 */

function busyWait(ms: number): void {
  const end = performance.now() + ms;
  while (performance.now() < end) {
    // spin: a busy event-loop turn
  }
}

/** The schedule the bus makes: an absolute deadline, as a delay from now. */
function at(clock: { now(): number; setTimeout(cb: () => void, ms: number): unknown }, deadline: number, cb: () => void): void {
  clock.setTimeout(cb, deadline - clock.now());
}

async function sendTwoInOneBusyTurn(clock: RealTimeClock): Promise<string[]> {
  const fired: string[] = [];
  const deadline = clock.now() + 3;
  await new Promise<void>((resolve) => {
    at(clock, deadline, () => fired.push('first'));
    // Half a millisecond later, within the same millisecond of the event loop's clock.
    busyWait(0.5);
    at(clock, deadline, () => {
      fired.push('second');
      resolve();
    });
    globalThis.setTimeout(resolve, 50);
  });
  await new Promise((resolve) => globalThis.setTimeout(resolve, 20));
  return fired;
}

describe('RealTimeClock ordering', () => {
  it('fires equal deadlines in the order they were set, even within a busy turn', async () => {
    const clock = new RealTimeClock();
    expect(await sendTwoInOneBusyTurn(clock)).toEqual(['first', 'second']);
    clock.dispose();
  });

  it('keeps FIFO for many deliveries to one deadline set over several turns', async () => {
    const clock = new RealTimeClock();
    const fired: number[] = [];
    const deadline = clock.now() + 30;
    for (let i = 0; i < 50; i++) {
      at(clock, deadline, () => fired.push(i));
      if (i % 10 === 9) await new Promise((resolve) => globalThis.setTimeout(resolve, 1));
    }
    await new Promise((resolve) => globalThis.setTimeout(resolve, 80));
    expect(fired).toEqual(Array.from({ length: 50 }, (_, i) => i));
    clock.dispose();
  });

  it('freezes now() within a turn and starts from startMs', async () => {
    const clock = new RealTimeClock({ startMs: 1_000_000 });
    const a = clock.now();
    busyWait(3);
    expect(clock.now()).toBe(a);
    expect(a).toBeGreaterThanOrEqual(1_000_000);
    await new Promise((resolve) => globalThis.setTimeout(resolve, 5));
    expect(clock.now()).toBeGreaterThan(a);
    clock.dispose();
  });

  it('does not let a zero-delay timer loop starve the event loop', async () => {
    const clock = new RealTimeClock();
    let spins = 0;
    const spin = (): void => {
      spins++;
      clock.setTimeout(spin, 0);
    };
    clock.setTimeout(spin, 0);
    await new Promise((resolve) => globalThis.setTimeout(resolve, 20));
    expect(spins).toBeGreaterThan(1);
    clock.dispose();
    const after = spins;
    await new Promise((resolve) => globalThis.setTimeout(resolve, 10));
    expect(spins).toBe(after);
  });
});
