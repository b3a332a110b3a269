import { Subscription, type SchedulerAction, type SchedulerLike } from 'rxjs';
import type { SimClock, TimerHandle } from './clock.ts';

/**
 * An RxJS scheduler over a SimClock, so `delay`, `timer`, `interval`, `debounceTime`… run on the
 * run's own clock. A self-rescheduling action (what `interval` does) re-arms the same action, each
 * firing at its own deadline.
 */
export class ClockScheduler implements SchedulerLike {
  constructor(private readonly clock: SimClock) {}

  now(): number {
    return this.clock.now();
  }

  schedule<T>(
    work: (this: SchedulerAction<T>, state?: T) => void,
    delay = 0,
    state?: T,
  ): Subscription {
    return new ClockAction(this.clock, work).schedule(state, delay);
  }
}

class ClockAction<T> extends Subscription implements SchedulerAction<T> {
  private handle: TimerHandle | undefined;

  constructor(
    private readonly clock: SimClock,
    private readonly work: (this: SchedulerAction<T>, state?: T) => void,
  ) {
    super(() => this.disarm());
  }

  schedule(state?: T, delay = 0): Subscription {
    if (this.closed) return this;
    this.disarm();
    this.handle = this.clock.setTimeout(() => {
      this.handle = undefined;
      this.work.call(this, state);
      // As RxJS's AsyncAction: an action whose work did not re-arm it is finished.
      if (!this.handle) this.unsubscribe();
    }, delay);
    return this;
  }

  private disarm(): void {
    if (this.handle) {
      this.clock.clearTimeout(this.handle);
      this.handle = undefined;
    }
  }
}
