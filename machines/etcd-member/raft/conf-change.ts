import type { ConfChange, ConfState, MemberId } from './types.ts';

/**
 * Membership changes: single-server changes (etcd's ConfChange v1), one at a time, taking effect when
 * applied. Why not joint consensus: etcd's server only ever issues single-server changes (member
 * add/remove/promote), and any two majorities of configurations differing by one voter overlap, so one
 * change at a time is safe without the joint phase. The known hole (Ongaro, raft-dev 2015: a change
 * proposed by a leader that has not yet committed an entry of its own term) is closed as etcd-raft does:
 * a new leader may not propose a change until it has applied everything up to its term's first entry
 * (pendingConfIndex), and a member does not campaign while it has committed but unapplied changes.
 */

export type ConfChangeError = 'MemberExists' | 'MemberNotFound' | 'NotLearner';

export const EMPTY_CONF: ConfState = Object.freeze({ voters: Object.freeze([]), learners: Object.freeze([]) });

/** The configuration after `change`, or why it does not apply (the configuration then stays as it is). */
export function applyConfChange(conf: ConfState, change: ConfChange): ConfState | ConfChangeError {
  const isVoter = conf.voters.includes(change.op === 'bootstrap' ? '' : change.id);
  const isLearner = conf.learners.includes(change.op === 'bootstrap' ? '' : change.id);
  switch (change.op) {
    case 'bootstrap':
      return { voters: [...change.voters], learners: [...change.learners] };
    case 'addVoter':
      if (isVoter || isLearner) return 'MemberExists';
      return { voters: [...conf.voters, change.id], learners: conf.learners };
    case 'addLearner':
      if (isVoter || isLearner) return 'MemberExists';
      return { voters: conf.voters, learners: [...conf.learners, change.id] };
    case 'promote':
      if (isVoter) return 'NotLearner';
      if (!isLearner) return 'MemberNotFound';
      return { voters: [...conf.voters, change.id], learners: conf.learners.filter((id) => id !== change.id) };
    case 'remove':
      if (!isVoter && !isLearner) return 'MemberNotFound';
      return { voters: conf.voters.filter((id) => id !== change.id), learners: conf.learners.filter((id) => id !== change.id) };
  }
}

export function isMember(conf: ConfState, id: MemberId): boolean {
  return conf.voters.includes(id) || conf.learners.includes(id);
}

/** Every member but `self`: the peers a leader replicates to. */
export function peersOf(conf: ConfState, self: MemberId): MemberId[] {
  const out: MemberId[] = [];
  for (const id of conf.voters) if (id !== self) out.push(id);
  for (const id of conf.learners) if (id !== self) out.push(id);
  return out;
}
