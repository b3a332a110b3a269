import type { Plant } from '../types.ts';

/** The etcd corpus of planted bugs (machines/etcd-member, each behind `config.plant`). */
export const ETCD_PLANTS: readonly Plant[] = [
  { name: 'vote-without-log-check', component: 'etcd-member', caughtBy: 'raft: Leader Completeness', description: 'grants a vote without the up-to-date log check' },
  { name: 'vote-not-persisted', component: 'etcd-member', caughtBy: 'raft: Election Safety', description: 'replies to a vote before persisting it (lost on power loss)' },
  { name: 'commit-previous-term-by-counting', component: 'etcd-member', caughtBy: 'raft: State Machine Safety', description: 'commits a previous-term entry by counting replicas (Figure 8)' },
  { name: 'no-truncate-conflict', component: 'etcd-member', caughtBy: 'raft: Log Matching', description: 'a follower does not truncate a conflicting suffix' },
  { name: 'apply-before-commit', component: 'etcd-member', caughtBy: 'raft: State Machine Safety', description: 'applies entries once persisted, before they commit' },
  { name: 'readindex-without-quorum', component: 'etcd-member', caughtBy: 'linearizability', description: 'serves ReadIndex without confirming leadership' },
  { name: 'lease-expires-on-follower', component: 'etcd-member', caughtBy: 'raft: applied state agreement', description: "a follower expires leases on its own clock" },
  { name: 'accept-stale-term-append', component: 'etcd-member', caughtBy: 'raft: committed entry replaced', description: 'accepts appends from a stale-term leader' },
  { name: 'watch-skips-revision', component: 'etcd-member', caughtBy: 'watch: Reliable', description: 'a watch stream silently skips every 7th revision' },
  { name: 'append-not-persisted', component: 'etcd-member', caughtBy: 'raft: committed entries durable on a quorum', description: 'a follower acknowledges appended entries before syncing them' },
  { name: 'follower-serves-linearizable-read', component: 'etcd-member', caughtBy: 'linearizability', description: 'a follower answers a linearizable read from its own state, without ReadIndex' },
  { name: 'no-checkquorum-stepdown', component: 'etcd-member', caughtBy: 'scenario test only (liveness)', description: 'an isolated leader never steps down' },
];
