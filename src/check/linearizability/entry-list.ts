// Porcupine's entry list: the call and return entries of the operations in a doubly-linked list
// sorted by time. Entry 2k is the call of op k, entry 2k+1 its return. At equal times calls come
// first, so intervals that merely touch count as concurrent. Linearizing an op "lifts" its two
// entries out; lifted entries keep their own links, so unlifting in LIFO order restores the list.

export const NIL = -1;

export class EntryList {
  readonly next: Int32Array;
  private readonly prev: Int32Array;
  private readonly times: Float64Array;
  /** The list head (a sentinel, not an entry). */
  readonly head: number;

  constructor(calls: readonly number[], returns: readonly number[]) {
    const m = calls.length;
    this.head = 2 * m;
    this.times = new Float64Array(2 * m);
    for (let k = 0; k < m; k++) {
      this.times[2 * k] = calls[k];
      this.times[2 * k + 1] = returns[k];
    }
    const sorted = Array.from({ length: 2 * m }, (_, e) => e).sort(
      (a, b) => this.times[a] - this.times[b] || (a & 1) - (b & 1) || (a >> 1) - (b >> 1),
    );
    this.next = new Int32Array(2 * m + 1);
    this.prev = new Int32Array(2 * m + 1);
    let tail = this.head;
    this.prev[this.head] = NIL;
    for (const e of sorted) {
      this.next[tail] = e;
      this.prev[e] = tail;
      tail = e;
    }
    this.next[tail] = NIL;
  }

  first(): number {
    return this.next[this.head];
  }

  time(entry: number): number {
    return this.times[entry];
  }

  lift(call: number): void {
    const { next, prev } = this;
    const ret = call + 1;
    next[prev[call]] = next[call];
    prev[next[call]] = prev[call];
    next[prev[ret]] = next[ret];
    if (next[ret] !== NIL) prev[next[ret]] = prev[ret];
  }

  unlift(call: number): void {
    const { next, prev } = this;
    const ret = call + 1;
    next[prev[ret]] = ret;
    if (next[ret] !== NIL) prev[next[ret]] = ret;
    next[prev[call]] = call;
    prev[next[call]] = call;
  }
}

export const isCallEntry = (entry: number) => (entry & 1) === 0;
export const opOfEntry = (entry: number) => entry >> 1;
