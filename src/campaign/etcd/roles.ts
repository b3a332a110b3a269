import { memberStatus } from '../../../machines/etcd-member/index.ts';
import type { ComponentHost } from '../../host/component-host.ts';

/**
 * Fault targets by role: `@leader` is the member leading the highest term right now, `@follower-1`,
 * `@follower-2`… the others in address order. With no leader, `@leader` is the first member in address
 * order and the followers the rest, so every role always names a distinct member (a partition drawn over
 * roles never puts one member on both sides).
 */
export function memberRoles(count: number): string[] {
  return ['@leader', ...Array.from({ length: count - 1 }, (_, i) => `@follower-${i + 1}`)];
}

/** Resolves a role over the current members (running or not); anything else is returned as it is. */
export function resolveMemberRole(role: string, members: readonly ComponentHost[]): string {
  if (role !== '@leader' && !role.startsWith('@follower-')) return role;
  const leader = currentLeader(members);
  const ranked = members.map((h) => h.address).sort((a, b) => a.localeCompare(b, 'en', { numeric: true }));
  if (leader !== undefined) {
    ranked.splice(ranked.indexOf(leader), 1);
    ranked.unshift(leader);
  }
  const rank = role === '@leader' ? 0 : Number(role.slice('@follower-'.length));
  return ranked[rank] ?? role;
}

/** The member that leads the highest term right now, if any. */
export function currentLeader(members: readonly ComponentHost[]): string | undefined {
  let best: { address: string; term: number } | undefined;
  for (const host of members) {
    const snapshot = host.snapshot();
    if (!snapshot) continue;
    const status = memberStatus(snapshot);
    if (status?.role === 'leader' && (!best || status.term > best.term)) best = { address: host.address, term: status.term };
  }
  return best?.address;
}
