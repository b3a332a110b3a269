// Replicated lease table (the deterministic half of etcd's lessor): which leases exist and which
// keys are attached. Deadlines are leader-local wall-clock state, see lease-expiry.ts.
import { ApplyError } from './errors.ts';
import type { LeaseInfo } from './types.ts';

/** etcd's MaxLeaseTTL (seconds). */
export const MAX_LEASE_TTL = 9_000_000_000;
/**
 * etcd clamps short TTLs up to minTTL = ceil(1.5 × election timeout); 2s with etcd's default
 * 100ms heartbeat / 1000ms election timeout.
 */
export const DEFAULT_MIN_LEASE_TTL = 2;

interface Lease {
  info: LeaseInfo;
  keys: Set<string>;
}

export class LeaseTable {
  private readonly leases = new Map<number, Lease>();

  constructor(private readonly minTtl: number = DEFAULT_MIN_LEASE_TTL) {}

  has(id: number): boolean {
    return this.leases.has(id);
  }

  grant(id: number, ttl: number, revision: number): LeaseInfo {
    if (id === 0) throw new ApplyError('ErrLeaseNotFound'); // lessor.Grant rejects NoLease
    if (ttl > MAX_LEASE_TTL) throw new ApplyError('ErrLeaseTTLTooLarge');
    if (this.leases.has(id)) throw new ApplyError('ErrLeaseExist');
    const info: LeaseInfo = {
      id,
      ttl: Math.max(ttl, this.minTtl),
      grantedRevision: revision,
      renewedRevision: revision,
      keepAlives: 0,
    };
    this.leases.set(id, { info, keys: new Set() });
    return { ...info };
  }

  keepAlive(id: number, revision: number): LeaseInfo {
    const l = this.leases.get(id);
    if (!l) throw new ApplyError('ErrLeaseNotFound');
    l.info.renewedRevision = revision;
    l.info.keepAlives++;
    return { ...l.info };
  }

  /** Removes the lease; returns its attached keys sorted (etcd sorts so every member deletes alike). */
  revoke(id: number): string[] {
    const l = this.leases.get(id);
    if (!l) throw new ApplyError('ErrLeaseNotFound');
    this.leases.delete(id);
    return [...l.keys].sort();
  }

  attach(id: number, key: string): void {
    this.leases.get(id)?.keys.add(key);
  }

  detach(id: number, key: string): void {
    this.leases.get(id)?.keys.delete(key);
  }

  keys(id: number): string[] {
    return [...(this.leases.get(id)?.keys ?? [])].sort();
  }

  /** Snapshot of every lease, ordered by id. */
  list(): LeaseInfo[] {
    return [...this.leases.values()].map((l) => ({ ...l.info })).sort((a, b) => a.id - b.id);
  }

  /** Rebuild from a snapshot: infos only; attachments are re-derived from the live keys. */
  static fromInfos(infos: readonly LeaseInfo[], minTtl?: number): LeaseTable {
    const t = new LeaseTable(minTtl);
    for (const info of infos) t.leases.set(info.id, { info: { ...info }, keys: new Set() });
    return t;
  }
}
