import type { MemberContext } from '../types.ts';
import { flushWatchResponses } from './watches.ts';
import { proposeEntries } from './requests.ts';

/**
 * Lease expiry is decided on the leader's clock only (etcd's primary lessor): expired leases are proposed
 * as LeaseRevoke entries, so every member deletes the attached keys at the same log position.
 */
export function becomePrimaryLessor(ctx: MemberContext): void {
  // A new leader does not know the old one's deadlines: every lease gets its full TTL again, plus an
  // election timeout (etcd's lessor.Promote extension).
  ctx.server.leaseExpiry.promote(ctx.now(), ctx.server.kv.leases(), ctx.config.electionTimeoutMs);
}

export function stopBeingPrimaryLessor(ctx: MemberContext): void {
  ctx.server.leaseExpiry.demote();
}

export function proposeExpiredLeaseRevokes(ctx: MemberContext): void {
  if (ctx.raft.role !== 'leader') return;
  const expired = ctx.server.leaseExpiry.expired(ctx.now());
  if (expired.length === 0) return;
  proposeEntries(
    ctx,
    expired.map((id) => ({ kind: 'command' as const, command: { type: 'leaseRevoke' as const, id }, origin: ctx.self, requestId: `lease-expiry/${id}` })),
  );
}

/**
 * PLANTED BUG `lease-expires-on-follower`: a follower expires leases on its own clock and revokes them
 * in its local store, outside the log, so its state diverges from the other members'.
 */
export function expireLeasesOnFollowerClock(ctx: MemberContext): void {
  if (ctx.config.plant !== 'lease-expires-on-follower' || ctx.raft.role === 'leader') return;
  for (const id of ctx.server.followerLeaseExpiry.expired(ctx.now())) {
    const response = ctx.server.kv.apply({ type: 'leaseRevoke', id });
    ctx.server.followerLeaseExpiry.observe({ type: 'leaseRevoke', id }, response, ctx.now());
  }
  flushWatchResponses(ctx);
}
