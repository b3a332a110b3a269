import {
  MvccStore,
  WatchHub,
  type Command,
  type ErrorResponse,
  type LeaseInfo,
  type RangeRequest,
  type RangeResponse,
  type Response,
  type SerializedState,
  type WatchRequest,
  type WatchResponse,
} from '../../../src/etcd/mvcc/index.ts';

/**
 * What the member needs from its replicated key-value state machine: apply a committed command, serve
 * local reads, list leases (the leader decides their expiry), watch streams, and snapshot/restore/hash
 * for log compaction and consistency checks. Raft never looks inside commands.
 */
export interface KvStateMachine {
  readonly revision: number;
  apply(command: Command): Response;
  range(request: RangeRequest): RangeResponse | ErrorResponse;
  leases(): LeaseInfo[];
  hash(): string;
  /** An immutable image of the whole state (stored on disk and sent to lagging followers). */
  snapshot(): unknown;
  restore(image: unknown): void;
  watch(request: WatchRequest): number;
  cancelWatch(id: number): boolean;
  requestWatchProgress(id: number): void;
  watchProgressTick(): void;
  /** Watch responses produced since the last call, oldest first. */
  drainWatchResponses(): WatchResponse[];
}

export interface MvccOptions {
  maxTxnOps?: number;
  minLeaseTtl?: number;
}

/** The real state machine: src/etcd/mvcc's MvccStore with its WatchHub. */
export class MvccStateMachine implements KvStateMachine {
  private store: MvccStore;
  private readonly hub: WatchHub;

  constructor(private readonly options: MvccOptions = {}) {
    this.store = new MvccStore(options);
    this.hub = new WatchHub(this.store);
  }

  get revision(): number {
    return this.store.revision;
  }

  apply(command: Command): Response {
    return this.store.apply(command);
  }

  range(request: RangeRequest): RangeResponse | ErrorResponse {
    return this.store.range(request);
  }

  leases(): LeaseInfo[] {
    return this.store.leases();
  }

  hash(): string {
    return this.store.hash();
  }

  snapshot(): SerializedState {
    return this.store.snapshot();
  }

  restore(image: unknown): void {
    this.store = MvccStore.restore(image as SerializedState, this.options);
    this.hub.replaceStore(this.store);
  }

  watch(request: WatchRequest): number {
    return this.hub.watch(request);
  }

  cancelWatch(id: number): boolean {
    return this.hub.cancel(id);
  }

  requestWatchProgress(id: number): void {
    this.hub.requestProgress(id);
  }

  watchProgressTick(): void {
    this.hub.progressTick();
  }

  drainWatchResponses(): WatchResponse[] {
    return this.hub.pending === 0 ? [] : this.hub.drain();
  }
}
