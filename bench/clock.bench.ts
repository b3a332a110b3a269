import { VirtualClock } from '../src/sim/clock.ts';
import { Random } from '../src/sim/random.ts';
import { formatFigures, isMain, type Figures } from './harness.ts';

/** CPU seconds taken by `work` (steadier than wall time on a shared machine). */
function timeIt(work: () => void): number {
  const start = process.cpuUsage();
  work();
  const used = process.cpuUsage(start);
  return (used.user + used.system) / 1e6;
}

/**
 * Timer throughput at a steady number of pending timers: each round fires the earliest timer and schedules
 * a new one at a random future deadline, so the heap stays at `pending` entries. One round = one schedule
 * plus one fire = two timer operations.
 */
function steadyState(pending: number, rounds: number): number {
  const clock = new VirtualClock();
  const random = Random.root('clock-bench');
  const noop = () => {};
  for (let i = 0; i < pending; i++) clock.setTimeout(noop, random.next() * 1_000_000);
  const seconds = timeIt(() => {
    for (let i = 0; i < rounds; i++) {
      clock.step();
      clock.setTimeout(noop, random.next() * 1_000_000);
    }
  });
  return (2 * rounds) / seconds;
}

/** Schedule-then-cancel throughput (XState cancels a state's `after` timers on every exit). */
function cancelHeavy(pending: number, rounds: number): number {
  const clock = new VirtualClock();
  const noop = () => {};
  for (let i = 0; i < pending; i++) clock.setTimeout(noop, 1_000_000 + i);
  const seconds = timeIt(() => {
    for (let i = 0; i < rounds; i++) clock.clearTimeout(clock.setTimeout(noop, 1000 + (i % 997)));
  });
  return (2 * rounds) / seconds;
}

export async function run(): Promise<Figures> {
  steadyState(10_000, 200_000); // warm-up
  return {
    'timer ops per CPU second @ 10k pending': Math.round(steadyState(10_000, 1_000_000)),
    'timer ops per CPU second @ 100k pending': Math.round(steadyState(100_000, 1_000_000)),
    'schedule+cancel ops per CPU second @ 100k pending': Math.round(cancelHeavy(100_000, 1_000_000)),
    // The idle 3 etcd / 3 apiserver / 10 node cluster keeps ~1,000 entries in the heap (live and cancelled).
    'schedule+cancel ops per CPU second @ 1k pending': Math.round(cancelHeavy(1_000, 1_000_000)),
  };
}

if (isMain(import.meta.url)) process.stdout.write(formatFigures('clock', await run()));
