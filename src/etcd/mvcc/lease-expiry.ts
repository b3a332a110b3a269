// Leader-local lease deadlines (the clocked half of etcd's lessor). The replicated store never
// decides expiry; the Raft leader keeps one of these on its own (virtual) clock and proposes
// LeaseRevoke for whatever expired(). Followers keep none; a new leader calls promote().
import type { Command, LeaseInfo, Response } from './types.ts';

export class LeaseExpiry {
  private readonly deadlines = new Map<number, number>();

  /** @param retryMs how long before an expired lease is offered again if its revoke never applied. */
  constructor(private readonly retryMs = 500) {}

  /**
   * On winning an election (etcd lessor.Promote): the old leader's deadlines are unknown, so every
   * lease gets a full TTL from now, plus `extendMs` (etcd extends by the election timeout).
   */
  promote(now: number, leases: readonly Pick<LeaseInfo, 'id' | 'ttl'>[], extendMs = 0): void {
    this.deadlines.clear();
    for (const l of leases) this.deadlines.set(l.id, now + l.ttl * 1000 + extendMs);
  }

  /** On losing leadership. */
  demote(): void {
    this.deadlines.clear();
  }

  /** Feed each applied command with its response; grants and keep-alives restart the countdown. */
  observe(cmd: Command, resp: Response, now: number): void {
    if (resp.type === 'leaseGrant' || resp.type === 'leaseKeepAlive') {
      this.deadlines.set(resp.id, now + resp.ttl * 1000);
    } else if (resp.type === 'leaseRevoke' && cmd.type === 'leaseRevoke') {
      this.deadlines.delete(cmd.id);
    } else if (resp.type === 'error' && resp.error.code === 'ErrLeaseNotFound' && cmd.type === 'leaseRevoke') {
      this.deadlines.delete(cmd.id); // already gone (e.g. revoked twice)
    }
  }

  /** Leases whose deadline passed, ordered by deadline then id; each is re-armed for retryMs. */
  expired(now: number): number[] {
    const due = [...this.deadlines].filter(([, t]) => t <= now).sort((a, b) => a[1] - b[1] || a[0] - b[0]);
    for (const [id] of due) this.deadlines.set(id, now + this.retryMs);
    return due.map(([id]) => id);
  }

  deadline(id: number): number | undefined {
    return this.deadlines.get(id);
  }
}
