/**
 * The leader's view of one follower (etcd's tracker.Progress), and the flow control over it:
 *  - probe:     we do not know where the follower's log matches ours; send one append and wait.
 *  - replicate: the follower is in step; pipeline appends optimistically, at most `maxInflight` at once.
 *  - snapshot:  the follower needs a snapshot; send nothing until it reports it installed.
 */
export type ProgressState = 'probe' | 'replicate' | 'snapshot';

export class Progress {
  /** Highest index known to be in the follower's (durable) log. */
  match = 0;
  /** Next index to send. */
  next: number;
  state: ProgressState = 'probe';
  /** In probe state: an append is out and we wait for its answer (or a heartbeat answer). */
  probeSent = false;
  /** In snapshot state: the snapshot's index, and when it was sent (to resend if it got lost). */
  pendingSnapshot = 0;
  snapshotSentAt = 0;
  /** Heard from since the last CheckQuorum round. */
  recentActive = false;
  /** Leader clock time of the latest heartbeat this follower answered (the leader lease). */
  heartbeatAckedSentAt = Number.NEGATIVE_INFINITY;
  /** Commit index carried by the last append sent (an empty append re-sends a newer one). */
  sentCommit = 0;
  /** Latest ReadIndex round this follower acknowledged. */
  readRoundAcked = 0;
  readonly inflights: Inflights;

  constructor(next: number, maxInflight: number, public isLearner: boolean) {
    this.next = next;
    this.inflights = new Inflights(maxInflight);
  }

  becomeProbe(): void {
    // After a snapshot, the follower has at least the snapshot: probe from just past it.
    const next = this.state === 'snapshot' ? Math.max(this.match + 1, this.pendingSnapshot + 1) : this.match + 1;
    this.state = 'probe';
    this.next = next;
    this.probeSent = false;
    this.pendingSnapshot = 0;
    this.inflights.reset();
  }

  becomeReplicate(): void {
    this.state = 'replicate';
    this.next = this.match + 1;
    this.probeSent = false;
    this.pendingSnapshot = 0;
    this.inflights.reset();
  }

  becomeSnapshot(index: number, now: number): void {
    this.state = 'snapshot';
    this.pendingSnapshot = index;
    this.snapshotSentAt = now;
    this.probeSent = false;
    this.inflights.reset();
  }

  /** An append up to `last` went out. */
  sentAppend(last: number, entries: number): void {
    if (this.state === 'replicate') {
      if (entries > 0) {
        this.next = last + 1;
        this.inflights.add(last);
      }
    } else if (this.state === 'probe') {
      this.probeSent = true;
    }
  }

  /** A successful append response up to `index`; false if it was stale (nothing learned). */
  maybeUpdate(index: number): boolean {
    this.probeSent = false;
    if (index <= this.match) return false;
    this.match = index;
    if (this.next < index + 1) this.next = index + 1;
    return true;
  }

  /**
   * A rejection of the append at `rejected`, with the follower's hint of where to probe next. Returns false
   * for a stale rejection (answering an append we have already moved past).
   */
  maybeDecrTo(rejected: number, probeFrom: number): boolean {
    if (this.state === 'replicate') {
      if (rejected <= this.match) return false;
      this.next = this.match + 1;
      return true;
    }
    if (this.next - 1 !== rejected) return false;
    this.next = Math.max(Math.min(rejected, probeFrom + 1), this.match + 1);
    this.probeSent = false;
    return true;
  }

  /** Whether the leader may send this follower another append now. */
  isPaused(): boolean {
    switch (this.state) {
      case 'probe':
        return this.probeSent;
      case 'replicate':
        return this.inflights.full();
      case 'snapshot':
        return true;
    }
  }
}

/** A ring of the last indexes of in-flight appends (etcd's tracker.Inflights). */
export class Inflights {
  private readonly ring: number[];
  private start = 0;
  count = 0;

  constructor(readonly capacity: number) {
    this.ring = new Array(capacity).fill(0);
  }

  full(): boolean {
    return this.count >= this.capacity;
  }

  add(last: number): void {
    if (this.full()) throw new Error('inflights overflow');
    this.ring[(this.start + this.count) % this.capacity] = last;
    this.count++;
  }

  /** Frees every in-flight append up to and including `index` (they were acknowledged). */
  freeTo(index: number): void {
    while (this.count > 0 && this.ring[this.start] <= index) {
      this.start = (this.start + 1) % this.capacity;
      this.count--;
    }
  }

  reset(): void {
    this.start = 0;
    this.count = 0;
  }
}
