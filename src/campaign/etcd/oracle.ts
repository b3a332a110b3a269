import { MvccStore, type Command, type Commit } from '../../etcd/mvcc/index.ts';
import type { CommittedRevision } from '../../check/watch/index.ts';
import type { ComponentHost } from '../../host/component-host.ts';
import type { Entry } from '../../../machines/etcd-member/index.ts';
import { memberContext } from '../../../machines/etcd-member/index.ts';

/**
 * Ground truth for the watch checker: a separate replica that applies the committed log, read from
 * whichever member has committed furthest, after every step (before compaction can drop the entries).
 * The Raft checker proves all members agree on committed entries, so any one of them is the truth.
 */
export class CommittedHistoryOracle {
  private readonly store = new MvccStore();
  private readonly revisions: CommittedRevision[] = [];
  private appliedIndex = 0;
  /** Set when the oracle could not follow (entries compacted before it read them). */
  gap = false;

  constructor() {
    this.store.subscribe((commit: Commit) => this.revisions.push({ revision: commit.revision, events: commit.events }));
  }

  get history(): readonly CommittedRevision[] {
    return this.revisions;
  }

  get revision(): number {
    return this.store.revision;
  }

  observe(members: readonly ComponentHost[]): void {
    let best: { log: { entry(index: number): Entry | undefined }; commit: number } | undefined;
    for (const host of members) {
      const raft = memberContext(host.snapshot())?.raft;
      if (raft && (!best || raft.commit > best.commit)) best = { log: raft.log, commit: raft.commit };
    }
    if (!best || best.commit <= this.appliedIndex) return;
    const log = best.log;
    for (let index = this.appliedIndex + 1; index <= best.commit; index++) {
      const entry = log.entry(index);
      if (!entry) {
        this.gap = true;
        return;
      }
      if (entry.data.kind === 'command') this.store.apply(entry.data.command as Command);
      this.appliedIndex = index;
    }
  }
}
