/**
 * A component's "disk": what survives a crash. Writes first land in a volatile buffer (the page cache);
 * `sync` (fsync) makes them durable. A crash keeps un-synced writes unless the fault says they are lost —
 * a process crash leaves the page cache to be flushed, a power loss does not.
 *
 * Values are stored by reference: machines build new values with `assign` and never mutate old ones.
 */
export class DurableStore {
  private synced = new Map<string, unknown>();
  /** Un-synced writes in order; `undefined` value = delete. */
  private pending = new Map<string, unknown>();
  private syncs = 0;

  write(key: string, value: unknown): void {
    this.pending.delete(key); // keep the map ordered by last write
    this.pending.set(key, value);
  }

  delete(key: string): void {
    this.write(key, undefined);
  }

  sync(): void {
    if (this.pending.size === 0) return;
    for (const [key, value] of this.pending) {
      if (value === undefined) this.synced.delete(key);
      else this.synced.set(key, value);
    }
    this.pending.clear();
    this.syncs++;
  }

  /** What a running process reads: synced state overlaid with its own un-synced writes. */
  get(key: string): unknown {
    if (this.pending.has(key)) return this.pending.get(key);
    return this.synced.get(key);
  }

  /** The durable value of one key, ignoring un-synced writes (no copy: cheap enough for per-step checkers). */
  getSynced(key: string): unknown {
    return this.synced.get(key);
  }

  /** The durable contents only (what a restart recovers when un-synced writes were lost). A copy. */
  syncedView(): ReadonlyMap<string, unknown> {
    return new Map(this.synced);
  }

  get unsyncedCount(): number {
    return this.pending.size;
  }

  get syncCount(): number {
    return this.syncs;
  }

  /** Applies a crash: un-synced writes are either flushed (process crash) or lost (power loss). */
  crash(loseUnsynced: boolean): number {
    const lost = loseUnsynced ? this.pending.size : 0;
    if (loseUnsynced) this.pending.clear();
    else this.sync();
    return lost;
  }

  /** Replaces the whole disk (snapshot restore, a new member's empty disk). */
  replace(contents: ReadonlyMap<string, unknown>): void {
    this.synced = new Map(contents);
    this.pending.clear();
  }
}
