import { TimerHeap, type TimerEntry } from './timer-heap.ts';

/**
 * The one clock of a run. It satisfies XState's `Clock` (setTimeout/clearTimeout, passed to
 * `createActor(machine, { clock })`) and is wrapped as an RxJS `SchedulerLike` by `ClockScheduler`.
 */
export interface SimClock {
  /** Milliseconds since the start of the run (virtual), or since start-up (real time). */
  now(): number;
  setTimeout(callback: () => void, delayMs: number): TimerHandle;
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
    // NaN, negative and undefined delays mean "as soon as possible", as in the host platforms.
    const delay = delayMs > 0 ? delayMs : 0;
    const entry: TimerEntry = { deadline: this.current + delay, seq: this.sequence++, callback };
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
    const callback = entry.callback!;
    entry.callback = null;
    this.current = entry.deadline;
    this.fired++;
    callback();
  }
}

/**
 * Wall-clock time for live mode (`kubesim up`): the same interface, backed by the platform's timers.
 * Lives in src/ (never in machines/), which stay pure.
 */
export class RealTimeClock implements SimClock {
  private readonly origin = performance.now();
  private readonly handles = new Map<TimerEntry, ReturnType<typeof globalThis.setTimeout>>();
  private sequence = 0;

  now(): number {
    return performance.now() - this.origin;
  }

  setTimeout(callback: () => void, delayMs: number): TimerHandle {
    const delay = delayMs > 0 ? delayMs : 0;
    const entry: TimerEntry = { deadline: this.now() + delay, seq: this.sequence++, callback };
    const handle = globalThis.setTimeout(() => {
      this.handles.delete(entry);
      const run = entry.callback;
      entry.callback = null;
      run?.();
    }, delay);
    this.handles.set(entry, handle);
    return entry;
  }

  clearTimeout(handle: TimerHandle | undefined): void {
    if (!handle) return;
    const timer = this.handles.get(handle);
    if (timer !== undefined) globalThis.clearTimeout(timer);
    this.handles.delete(handle);
    handle.callback = null;
  }

  get pending(): number {
    return this.handles.size;
  }

  /** Cancels every outstanding timer (clean shutdown). */
  dispose(): void {
    for (const timer of this.handles.values()) globalThis.clearTimeout(timer);
    for (const entry of this.handles.keys()) entry.callback = null;
    this.handles.clear();
  }
}
