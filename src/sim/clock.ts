import { TimerHeap, type TimerEntry } from './timer-heap.ts';

/**
 * The one clock of a run. It satisfies XState's `Clock` (setTimeout/clearTimeout, passed to
 * `createActor(machine, { clock })`) and is wrapped as an RxJS `SchedulerLike` by `ClockScheduler`.
 */
export interface SimClock {
  /** Milliseconds since the start of the run (virtual), or since start-up (real time). */
  now(): number;
  setTimeout(callback: () => void, delayMs: number): TimerHandle;
  /** `setTimeout(() => callback(arg), delayMs)` without allocating the closure (the bus: one per message). */
  setTimeoutWith<A>(callback: (arg: A) => void, arg: A, delayMs: number): TimerHandle;
  clearTimeout(handle: TimerHandle | undefined): void;
}

export type TimerHandle = TimerEntry;

export class RunawayError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'RunawayError';
  }
}

/**
 * Virtual time. Nothing happens until the owner calls step/runUntil/runFor/runUntilQuiet; each timer then
 * fires at exactly its own deadline, in (deadline, scheduling order). Timers scheduled by a firing timer for
 * a deadline inside the current run fire in the same run, so a periodic timer fires once per period.
 */
export class VirtualClock implements SimClock {
  private readonly heap = new TimerHeap();
  private current = 0;
  private sequence = 0;
  private fired = 0;

  now(): number {
    return this.current;
  }

  /** Live timers waiting to fire. */
  get pending(): number {
    return this.heap.size;
  }

  /** Timers fired since the clock was created. */
  get firedCount(): number {
    return this.fired;
  }

  setTimeout(callback: () => void, delayMs: number): TimerHandle {
    return this.setTimeoutWith(callback, undefined, delayMs);
  }

  setTimeoutWith<A>(callback: (arg: A) => void, arg: A, delayMs: number): TimerHandle {
    // NaN, negative and undefined delays mean "as soon as possible", as in the host platforms.
    const delay = delayMs > 0 ? delayMs : 0;
    const entry: TimerEntry = { deadline: this.current + delay, seq: this.sequence++, callback, arg };
    this.heap.push(entry);
    return entry;
  }

  clearTimeout(handle: TimerHandle | undefined): void {
    if (handle) this.heap.cancel(handle);
  }

  /** Deadline of the next timer, if any. */
  nextDeadline(): number | undefined {
    return this.heap.peek()?.deadline;
  }

  /** Fires the next timer (advancing time to its deadline). Returns false when none is pending. */
  step(): boolean {
    const entry = this.heap.pop();
    if (!entry) return false;
    this.fire(entry);
    return true;
  }

  /** Fires every timer due at or before `time`, then leaves the clock at `time`. Returns timers fired. */
  runUntil(time: number): number {
    const firedBefore = this.fired;
    for (;;) {
      const next = this.heap.peek();
      if (!next || next.deadline > time) break;
      this.heap.pop();
      this.fire(next);
    }
    if (time > this.current) this.current = time;
    return this.fired - firedBefore;
  }

  runFor(durationMs: number): number {
    return this.runUntil(this.current + durationMs);
  }

  /**
   * Fires timers until none is pending. A system with periodic timers (heartbeats, leases) is never
   * quiet, so the run is bounded: past `maxSteps` timers or `maxTime` it throws a RunawayError.
   */
  runUntilQuiet(limits: { maxSteps?: number; maxTime?: number } = {}): number {
    const maxSteps = limits.maxSteps ?? 10_000_000;
    const maxTime = limits.maxTime ?? Number.POSITIVE_INFINITY;
    let steps = 0;
    for (;;) {
      const next = this.heap.peek();
      if (!next) return steps;
      if (steps >= maxSteps || next.deadline > maxTime) {
        throw new RunawayError(
          `clock not quiet after ${steps} timers at t=${this.current}ms (next due at ${next.deadline}ms)`,
        );
      }
      this.heap.pop();
      this.fire(next);
      steps++;
    }
  }

  private fire(entry: TimerEntry): void {
    const callback = entry.callback as (arg: unknown) => void;
    const arg = entry.arg;
    entry.callback = null;
    entry.arg = undefined;
    this.current = entry.deadline;
    this.fired++;
    callback(arg);
  }
}

/**
 * Wall-clock time for live mode (`kubesim up`): the same interface, backed by the platform's timers.
 * Lives in src/ (never in machines/), which stay pure.
 *
 * Two things keep live runs as orderly as virtual ones (the bus's FIFO links rely on them):
 *  - `now()` is frozen for one synchronous turn of the event loop (it thaws at the next microtask
 *    checkpoint), as virtual time stands still while an instant is processed. So a caller that computes
 *    an absolute deadline, then passes `deadline - now()` as a delay, gets exactly that deadline back.
 *  - Timers are kept in the same (deadline, sequence) heap as VirtualClock's and fired in that order by
 *    one platform timer armed for the earliest deadline. Platform timers alone do not keep that order:
 *    Node measures a delay from the event loop's cached time, so a timer set late in a busy turn can
 *    fire before one set earlier for the same deadline.
 * Without both, an etcd watch stream delivered revisions out of order under load and the apiserver's
 * watch cache dropped the overtaken events.
 */
export class RealTimeClock implements SimClock {
  private readonly origin = performance.now();
  private readonly heap = new TimerHeap();
  private sequence = 0;
  private platformTimer: ReturnType<typeof globalThis.setTimeout> | undefined;
  private platformDeadline = Number.POSITIVE_INFINITY;
  private disposed = false;
  /** `now()` for the current synchronous turn; undefined between turns. */
  private frozen: number | undefined;
  private readonly thaw = (): void => {
    this.frozen = undefined;
  };
  /** What `now()` reads at construction: 0 by default; `kubesim up` passes `Date.now() - KUBESIM_EPOCH_MS`. */
  private readonly startMs: number;

  constructor(options: { startMs?: number } = {}) {
    this.startMs = options.startMs ?? 0;
  }

  now(): number {
    if (this.frozen === undefined) {
      this.frozen = this.startMs + performance.now() - this.origin;
      queueMicrotask(this.thaw);
    }
    return this.frozen;
  }

  setTimeout(callback: () => void, delayMs: number): TimerHandle {
    return this.setTimeoutWith(callback, undefined, delayMs);
  }

  setTimeoutWith<A>(callback: (arg: A) => void, arg: A, delayMs: number): TimerHandle {
    const delay = delayMs > 0 ? delayMs : 0;
    const entry: TimerEntry = { deadline: this.now() + delay, seq: this.sequence++, callback, arg };
    if (this.disposed) {
      entry.callback = null;
      return entry;
    }
    this.heap.push(entry);
    this.arm();
    return entry;
  }

  clearTimeout(handle: TimerHandle | undefined): void {
    if (handle) this.heap.cancel(handle);
  }

  get pending(): number {
    return this.heap.size;
  }

  /** Cancels every outstanding timer (clean shutdown). */
  dispose(): void {
    this.disposed = true;
    if (this.platformTimer !== undefined) globalThis.clearTimeout(this.platformTimer);
    this.platformTimer = undefined;
    for (let entry = this.heap.pop(); entry; entry = this.heap.pop()) entry.callback = null;
  }

  /** Makes sure the platform timer is set for the earliest deadline. */
  private arm(): void {
    const next = this.heap.peek();
    if (!next) return;
    if (this.platformTimer !== undefined && this.platformDeadline <= next.deadline) return;
    if (this.platformTimer !== undefined) globalThis.clearTimeout(this.platformTimer);
    this.platformDeadline = next.deadline;
    this.platformTimer = globalThis.setTimeout(() => this.fireDue(), Math.max(0, next.deadline - this.now()));
  }

  /**
   * Fires every timer due by now, in (deadline, sequence) order. Timers set meanwhile wait for the next
   * turn even when already due (time is frozen within a turn), so a zero-delay loop cannot starve I/O.
   */
  private fireDue(): void {
    this.platformTimer = undefined;
    this.platformDeadline = Number.POSITIVE_INFINITY;
    const now = this.now();
    const setBefore = this.sequence;
    try {
      for (;;) {
        const next = this.heap.peek();
        if (!next || next.deadline > now || next.seq >= setBefore) break;
        this.heap.pop();
        const run = next.callback as ((arg: unknown) => void) | null;
        const arg = next.arg;
        next.callback = null;
        next.arg = undefined;
        run?.(arg);
      }
    } finally {
      if (!this.disposed) this.arm();
    }
  }
}
