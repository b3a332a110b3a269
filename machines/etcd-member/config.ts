import type { EtcdMemberConfig, ResolvedConfig } from './types.ts';

/** etcd's defaults (etcd 3.6: pre-vote on, check-quorum on, snapshot-count 10000, 512 in-flight appends). */
export const DEFAULTS = {
  heartbeatIntervalMs: 100,
  electionTimeoutMs: 1000,
  preVote: true,
  checkQuorum: true,
  readOnly: 'safe',
  maxEntriesPerAppend: 4096,
  maxBytesPerAppend: 1024 * 1024,
  maxInflight: 512,
  readyIntervalMs: 1,
  snapshotEvery: 10_000,
  snapshotCatchUpEntries: 5_000,
  watchProgressIntervalMs: 600_000,
  maxTxnOps: 128,
  minLeaseTtlSeconds: 2,
} as const satisfies Partial<EtcdMemberConfig>;

export function resolveConfig(config: EtcdMemberConfig): ResolvedConfig {
  const resolved: ResolvedConfig = {
    ...DEFAULTS,
    ...stripUndefined(config),
    members: config.members ?? [],
    learners: config.learners ?? [],
    join: config.join ?? false,
    plant: config.plant,
  };
  if (resolved.readOnly === 'lease' && !resolved.checkQuorum) {
    // As etcd-raft: a lease is only sound if a leader that lost its quorum steps down.
    throw new Error("readOnly 'lease' requires checkQuorum");
  }
  if (resolved.heartbeatIntervalMs >= resolved.electionTimeoutMs) {
    throw new Error('heartbeatIntervalMs must be shorter than electionTimeoutMs');
  }
  return resolved;
}

function stripUndefined<T extends object>(value: T): Partial<T> {
  const out: Partial<T> = {};
  for (const [k, v] of Object.entries(value)) if (v !== undefined) (out as Record<string, unknown>)[k] = v;
  return out;
}
