import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { assign, createActor, setup } from 'xstate';
import { interval, take, timer, delay, of } from 'rxjs';
import { RealTimeClock, RunawayError, VirtualClock } from '../../src/sim/clock.ts';
import { ClockScheduler } from '../../src/sim/rx-scheduler.ts';
import { numRuns } from '../fc.ts';

describe('VirtualClock', () => {
  it('fires every timer at its own deadline, in (deadline, scheduling order), under arbitrary interleaving', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.integer({ min: 0, max: 500 }), fc.integer({ min: 0, max: 200 })), { maxLength: 60 }), (specs) => {
        const clock = new VirtualClock();
        const fired: { at: number; deadline: number; order: number }[] = [];
        let order = 0;
        // Each spec schedules a timer at `start` which, when it fires, schedules a nested one `delay` later.
        specs.forEach(([start, nested]) => {
          const seq = order++;
          clock.setTimeout(() => {
            fired.push({ at: clock.now(), deadline: start, order: seq });
            const nestedDeadline = clock.now() + nested;
            const nestedSeq = order++;
            clock.setTimeout(() => fired.push({ at: clock.now(), deadline: nestedDeadline, order: nestedSeq }), nested);
          }, start);
        });
        clock.runUntil(1_000);
        expect(fired).toHaveLength(specs.length * 2);
        for (const f of fired) expect(f.at).toBe(f.deadline);
        for (let i = 1; i < fired.length; i++) {
          const [a, b] = [fired[i - 1], fired[i]];
          expect(a.at < b.at || (a.at === b.at && a.order < b.order)).toBe(true);
        }
      }),
      { numRuns: numRuns(200) },
    );
  });

  it('fires a periodic timer once per period, interleaved with another period', () => {
    const clock = new VirtualClock();
    const fires: string[] = [];
    const every = (name: string, period: number) => {
      const arm = () => clock.setTimeout(() => { fires.push(`${name}@${clock.now()}`); arm(); }, period);
      arm();
    };
    every('a', 30);
    every('b', 45);
    clock.runUntil(180);
    // At a shared deadline the timer scheduled first fires first: b's 90 ms timer was armed at 45, a's at 60.
    expect(fires).toEqual([
      'a@30', 'b@45', 'a@60', 'b@90', 'a@90', 'a@120', 'b@135', 'a@150', 'b@180', 'a@180',
    ]);
    expect(clock.now()).toBe(180);
  });

  it('never fires a cancelled timer, also after many cancellations compact the heap', () => {
    const clock = new VirtualClock();
    const fired: number[] = [];
    const handles = Array.from({ length: 5_000 }, (_, i) => clock.setTimeout(() => fired.push(i), i));
    handles.forEach((h, i) => { if (i % 3 !== 0) clock.clearTimeout(h); });
    expect(clock.pending).toBe(Math.ceil(5_000 / 3));
    clock.runUntilQuiet();
    expect(fired).toEqual(Array.from({ length: 5_000 }, (_, i) => i).filter((i) => i % 3 === 0));
    expect(clock.pending).toBe(0);
  });

  it('setTimeoutWith hands its argument to a shared callback, in the same (deadline, sequence) order as setTimeout', () => {
    const clock = new VirtualClock();
    const fired: string[] = [];
    const shared = (name: string) => fired.push(`with:${name}`);
    clock.setTimeoutWith(shared, 'a', 5);
    clock.setTimeout(() => fired.push('plain'), 5);
    clock.setTimeoutWith(shared, 'b', 5);
    const cancelled = clock.setTimeoutWith(shared, 'gone', 1);
    clock.clearTimeout(cancelled);
    expect(cancelled.arg).toBeUndefined(); // a lazily deleted entry lets go of its payload
    clock.runUntilQuiet();
    expect(fired).toEqual(['with:a', 'plain', 'with:b']);
  });

  it('treats negative and NaN delays as zero and step() advances to the next deadline', () => {
    const clock = new VirtualClock();
    const seen: number[] = [];
    clock.setTimeout(() => seen.push(clock.now()), -5);
    clock.setTimeout(() => seen.push(clock.now()), Number.NaN);
    clock.setTimeout(() => seen.push(clock.now()), 42);
    expect(clock.step()).toBe(true);
    expect(clock.step()).toBe(true);
    expect(clock.step()).toBe(true);
    expect(clock.step()).toBe(false);
    expect(seen).toEqual([0, 0, 42]);
  });

  it('bounds runUntilQuiet on a system that is never quiet', () => {
    const clock = new VirtualClock();
    const arm = () => clock.setTimeout(arm, 10);
    arm();
    expect(() => clock.runUntilQuiet({ maxSteps: 100 })).toThrow(RunawayError);
    expect(clock.now()).toBe(1_000);
  });

  it('drives XState delayed transitions, including a self-re-entering periodic one', () => {
    const machine = setup({
      types: { context: {} as { ticks: number[] } },
      actions: { recordTick: assign(({ context }) => ({ ticks: [...context.ticks, 0] })) },
      delays: { period: 100, grace: 250 },
    }).createMachine({
      context: { ticks: [] },
      initial: 'waiting',
      states: {
        waiting: { after: { grace: 'ticking' } },
        ticking: { after: { period: { target: 'ticking', reenter: true, actions: 'recordTick' } } },
      },
    });
    const clock = new VirtualClock();
    const actor = createActor(machine, { clock }).start();
    clock.runUntil(249);
    expect(actor.getSnapshot().value).toBe('waiting');
    clock.runUntil(250);
    expect(actor.getSnapshot().value).toBe('ticking');
    clock.runUntil(1_250);
    expect(actor.getSnapshot().context.ticks).toHaveLength(10);
    actor.stop();
    expect(clock.pending).toBe(0);
  });
});

describe('ClockScheduler (RxJS)', () => {
  it('runs interval, timer and delay on virtual time', () => {
    const clock = new VirtualClock();
    const scheduler = new ClockScheduler(clock);
    const seen: string[] = [];
    interval(100, scheduler).pipe(take(3)).subscribe((i) => seen.push(`interval ${i}@${clock.now()}`));
    timer(250, scheduler).subscribe(() => seen.push(`timer@${clock.now()}`));
    of('x').pipe(delay(120, scheduler)).subscribe(() => seen.push(`delay@${clock.now()}`));
    clock.runUntilQuiet();
    expect(seen).toEqual(['interval 0@100', 'delay@120', 'interval 1@200', 'timer@250', 'interval 2@300']);
  });

  it('cancels scheduled work on unsubscribe', () => {
    const clock = new VirtualClock();
    const seen: number[] = [];
    const subscription = interval(10, new ClockScheduler(clock)).subscribe((i) => seen.push(i));
    clock.runUntil(35);
    subscription.unsubscribe();
    clock.runUntil(100);
    expect(seen).toEqual([0, 1, 2]);
    expect(clock.pending).toBe(0);
  });
});

describe('RealTimeClock', () => {
  it('has the same interface and fires on real time', async () => {
    const clock = new RealTimeClock();
    const fired = await new Promise<number>((resolve) => clock.setTimeout(() => resolve(clock.now()), 5));
    expect(fired).toBeGreaterThanOrEqual(0);
    const handle = clock.setTimeout(() => { throw new Error('cancelled timer fired'); }, 5);
    clock.clearTimeout(handle);
    expect(clock.pending).toBe(0);
    await new Promise((resolve) => globalThis.setTimeout(resolve, 15));
    clock.dispose();
  });
});
