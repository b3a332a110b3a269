/**
 * A binary min-heap of timers ordered by (deadline, sequence).
 *
 * The sequence number breaks ties so that timers due at the same instant fire in the order they were
 * scheduled: this is what makes a run a pure function of its inputs. Cancellation is lazy (the entry is
 * flagged and skipped when it reaches the top) with a compaction pass once cancelled entries outnumber
 * live ones, so cancel is O(1) and the heap never grows without bound.
 */
export interface TimerEntry {
  readonly deadline: number;
  readonly seq: number;
  /** Called with `arg` when the timer fires; null once fired or cancelled. */
  callback: ((arg: never) => void) | null;
  /** What `callback` gets: lets a hot caller (the bus) share one callback instead of a closure per timer. */
  arg: unknown;
}

export class TimerHeap {
  private items: TimerEntry[] = [];
  private cancelled = 0;

  /** Live (not cancelled) timers. */
  get size(): number {
    return this.items.length - this.cancelled;
  }

  push(entry: TimerEntry): void {
    const items = this.items;
    items.push(entry);
    this.siftUp(items.length - 1);
  }

  /** The earliest live timer, or undefined. Drops cancelled entries found on top. */
  peek(): TimerEntry | undefined {
    this.dropCancelledTop();
    return this.items[0];
  }

  /** Removes and returns the earliest live timer. */
  pop(): TimerEntry | undefined {
    this.dropCancelledTop();
    return this.removeTop();
  }

  /** Marks an entry cancelled; returns false if it had already fired or been cancelled. */
  cancel(entry: TimerEntry): boolean {
    if (entry.callback === null) return false;
    entry.callback = null;
    entry.arg = undefined; // a lazily deleted entry should not keep its payload alive
    this.cancelled++;
    if (this.cancelled > 1024 && this.cancelled * 2 > this.items.length) this.compact();
    return true;
  }

  private dropCancelledTop(): void {
    while (this.items.length > 0 && this.items[0].callback === null) {
      this.removeTop();
      this.cancelled--;
    }
  }

  private removeTop(): TimerEntry | undefined {
    const items = this.items;
    if (items.length === 0) return undefined;
    const top = items[0];
    const last = items.pop()!;
    if (items.length > 0) {
      items[0] = last;
      this.siftDown(0);
    }
    return top;
  }

  /** Rebuilds the heap from live entries only (Floyd's O(n) heapify). */
  private compact(): void {
    this.items = this.items.filter((e) => e.callback !== null);
    this.cancelled = 0;
    for (let i = (this.items.length >> 1) - 1; i >= 0; i--) this.siftDown(i);
  }

  private siftUp(index: number): void {
    const items = this.items;
    const entry = items[index];
    while (index > 0) {
      const parentIndex = (index - 1) >> 1;
      const parent = items[parentIndex];
      if (!before(entry, parent)) break;
      items[index] = parent;
      index = parentIndex;
    }
    items[index] = entry;
  }

  private siftDown(index: number): void {
    const items = this.items;
    const length = items.length;
    const entry = items[index];
    for (;;) {
      const left = 2 * index + 1;
      if (left >= length) break;
      const right = left + 1;
      const child = right < length && before(items[right], items[left]) ? right : left;
      if (!before(items[child], entry)) break;
      items[index] = items[child];
      index = child;
    }
    items[index] = entry;
  }
}

function before(a: TimerEntry, b: TimerEntry): boolean {
  return a.deadline < b.deadline || (a.deadline === b.deadline && a.seq < b.seq);
}
