import { Subject, type Observable } from 'rxjs';
import { memberStatus } from '../../../machines/etcd-member/index.ts';
import type { Observed } from '../../faults/apply.ts';
import type { ComponentHost } from '../../host/component-host.ts';

/** The observation a leader's commit index moving forward is reported as (derived, not emitted by members). */
export const LEADER_COMMIT = 'derived.raft.leaderCommit';

/**
 * Derives "a leader advanced its commit index" from member state after each simulation step, so a
 * triggered fault can hit the instant a leader has counted an entry onto a majority but has not yet told
 * anyone (the last step of the Raft paper's Figure 8). Members do not report commits themselves: etcd
 * exposes them only as metrics, and the machine's observations stay as they are.
 */
export class LeaderCommitWatch {
  private readonly subject = new Subject<Observed>();
  /** Per member: the term and commit index it had as leader at the last look. */
  private readonly seen = new Map<string, { term: number; commit: number }>();

  get observations(): Observable<Observed> {
    return this.subject.asObservable();
  }

  /** Looks at every member once; reports each leader whose commit index moved since the last look. */
  observe(members: readonly ComponentHost[]): void {
    // Nobody listening: forget, so a later listener never hears of a commit made while it was away.
    if (!this.subject.observed) {
      this.seen.clear();
      return;
    }
    for (const host of members) {
      const status = host.status === 'running' ? memberStatus(host.snapshot()) : undefined;
      if (status?.role !== 'leader') {
        this.seen.delete(host.address);
        continue;
      }
      const before = this.seen.get(host.address);
      this.seen.set(host.address, { term: status.term, commit: status.commit });
      // A new term's first look only sets the baseline: the commit index a leader inherits is not its own.
      if (before && before.term === status.term && status.commit > before.commit) {
        this.subject.next({ address: host.address, type: LEADER_COMMIT });
      }
    }
  }
}
