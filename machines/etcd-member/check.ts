import type { Simulation } from '../../src/host/simulation.ts';
import type { ComponentHost } from '../../src/host/component-host.ts';
import type { DurableStore } from '../../src/host/durable-store.ts';
import {
  RaftSafetyChecker,
  checkAppliedStateAgreement,
  type RaftDurableView,
  type RaftMemberView,
  type RaftViolation,
} from '../../src/check/raft/index.ts';
import { SNAPSHOT_KEY, walEntry, walKey, type WalBlock } from './raft/storage.ts';
import type { Snapshot } from './raft/types.ts';
import type { MemberContext } from './types.ts';

/** The checker's view of a running etcd member (undefined while crashed). */
export function raftMemberView(host: ComponentHost): RaftMemberView | undefined {
  const snapshot = host.snapshot();
  if (!snapshot) return undefined;
  const ctx = snapshot.context as MemberContext;
  const raft = ctx.raft;
  const log = raft.log;
  return {
    address: host.address,
    incarnation: host.incarnation,
    // Not the snapshot: XState keeps it across targetless transitions that mutate context in place.
    version: ctx.steps,
    role: raft.role,
    term: raft.term,
    commit: raft.commit,
    applied: raft.applied,
    voters: raft.conf.voters,
    snapshotIndex: log.snapshotIndex,
    snapshotTerm: log.snapshotTerm,
    lastIndex: log.lastIndex,
    logRewrites: log.rewrites,
    entry: (index) => log.entry(index),
    kvHash: () => ctx.server.kv.hash(),
  };
}

/** The checker's view of a member's disk: synced contents only (read in place, one lookup per question). */
export function raftDurableView(disk: DurableStore): RaftDurableView {
  return {
    syncedEntryTerm(index) {
      const snapshot = disk.getSynced(SNAPSHOT_KEY) as Snapshot | undefined;
      if (snapshot && index <= snapshot.index) return 'snapshot';
      return walEntry(disk.getSynced(walKey(index)) as WalBlock | undefined, index)?.term;
    },
  };
}

/**
 * Runs the Raft safety checker over etcd members hosted in a simulation: call `check()` after every step
 * (it is incremental), `finish()` at the end (adds the applied-state agreement check).
 */
export class EtcdRaftChecker {
  readonly checker = new RaftSafetyChecker();

  constructor(
    private readonly sim: Simulation,
    private readonly addresses: () => readonly string[],
  ) {}

  check(): RaftViolation[] {
    const members: RaftMemberView[] = [];
    const disks = new Map<string, RaftDurableView>();
    for (const address of this.addresses()) {
      if (!this.sim.has(address)) continue;
      const host = this.sim.host(address);
      const view = raftMemberView(host);
      if (view) members.push(view);
      disks.set(address, raftDurableView(host.disk));
    }
    return this.checker.observe(members, disks, this.sim.now);
  }

  /** A last check plus applied-state agreement; returns every violation of the run. */
  finish(): RaftViolation[] {
    this.check();
    const members: RaftMemberView[] = [];
    for (const address of this.addresses()) {
      if (!this.sim.has(address)) continue;
      const view = raftMemberView(this.sim.host(address));
      if (view) members.push(view);
    }
    this.checker.violations.push(...checkAppliedStateAgreement(members, this.sim.now));
    return [...this.checker.violations];
  }

  get violations(): readonly RaftViolation[] {
    return this.checker.violations;
  }
}
