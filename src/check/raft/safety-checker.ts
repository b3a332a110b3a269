import { entriesEqual } from './entry-equality.ts';
import type { RaftDurableView, RaftEntryView, RaftMemberView, RaftProperty, RaftViolation } from './types.ts';

/** What the checker remembers about one entry seen at (index, term) in any log. */
interface KnownEntry {
  entry: RaftEntryView;
  /** Term of the entry before it in the log it was seen in (undefined if that was compacted away). */
  prevTerm: number | undefined;
  seenAt: string;
}

/** Per-member progress of the incremental checks. */
interface MemberMarks {
  incarnation: number;
  version: unknown;
  /** The member's log as last scanned: mirror[i - mirrorBase] is the entry object at index i. */
  mirror: RaftEntryView[];
  mirrorBase: number;
  logRewrites: number | undefined;
  appliedChecked: number;
  commitChecked: number;
  /** Voters as of the previous observation: the configuration the member committed under. */
  voters: readonly string[] | undefined;
  /** Leader Append-Only: the leader's log end when last seen leading in `leaderTerm`. */
  leaderTerm: number;
  leaderLastIndex: number;
  leaderLastEntry: RaftEntryView | undefined;
}

/**
 * Raft's safety properties (Raft paper, Figure 3), checked after every step of a run, incrementally:
 *  - Election Safety: at most one leader per term, over the whole run.
 *  - Leader Append-Only: a leader never overwrites or deletes entries while it leads.
 *  - Log Matching: entries with equal index and term are equal and have equal predecessors (checked for
 *    every entry ever seen, so the two logs need not be observed at the same time).
 *  - Leader Completeness: a new leader holds every entry committed before it was elected.
 *  - State Machine Safety: no two members apply different entries at one index.
 *  - Committed entries never change in any log, and each is durable (synced) on a quorum when committed.
 * Each log is compared by entry reference against a mirror of what was seen last time, so only changed
 * suffixes are examined in depth.
 */
export class RaftSafetyChecker {
  private readonly leaders = new Map<number, string>();
  private readonly known = new Map<number, Map<number, KnownEntry>>();
  /** Committed entries by index, as first observed committed. */
  private readonly committed: RaftEntryView[] = [];
  private committedUpTo = 0;
  private readonly applied = new Map<number, { entry: RaftEntryView; by: string }>();
  private readonly marks = new Map<string, MemberMarks>();
  readonly violations: RaftViolation[] = [];

  /**
   * Observes the members (running ones; crashed members are simply absent) and their disks.
   * Returns the violations found by this observation.
   */
  observe(members: readonly RaftMemberView[], disks: ReadonlyMap<string, RaftDurableView>, at?: number): RaftViolation[] {
    const found: RaftViolation[] = [];
    const report = (property: RaftProperty, message: string, details: Record<string, unknown>) => {
      const v: RaftViolation = at === undefined ? { property, message, details } : { property, message, details, at };
      found.push(v);
      this.violations.push(v);
    };
    for (const m of members) {
      const marks = this.marksFor(m);
      if (marks.version === m.version) continue;
      marks.version = m.version;
      this.checkElectionSafety(m, report);
      this.scanLog(m, marks, report);
      this.checkLeaderAppendOnly(m, marks, report);
      this.checkCommitted(m, marks, disks, report);
      this.checkApplied(m, marks, report);
      marks.voters = m.voters;
    }
    return found;
  }

  private marksFor(m: RaftMemberView): MemberMarks {
    let marks = this.marks.get(m.address);
    if (!marks || marks.incarnation !== m.incarnation) {
      marks = {
        incarnation: m.incarnation,
        version: undefined,
        mirror: [],
        mirrorBase: m.snapshotIndex + 1,
        logRewrites: undefined,
        appliedChecked: m.snapshotIndex,
        commitChecked: m.snapshotIndex,
        voters: undefined,
        leaderTerm: 0,
        leaderLastIndex: 0,
        leaderLastEntry: undefined,
      };
      this.marks.set(m.address, marks);
    }
    return marks;
  }

  private checkElectionSafety(m: RaftMemberView, report: Report): void {
    if (m.role !== 'leader') return;
    const leader = this.leaders.get(m.term);
    if (leader === undefined) {
      this.leaders.set(m.term, m.address);
      this.checkLeaderCompleteness(m, report);
    } else if (leader !== m.address) {
      report('ElectionSafety', `two leaders in term ${m.term}: ${leader} and ${m.address}`, { term: m.term, leaders: [leader, m.address] });
    }
  }

  /** Every entry committed so far must be in a newly elected leader's log. */
  private checkLeaderCompleteness(m: RaftMemberView, report: Report): void {
    for (let i = m.snapshotIndex + 1; i <= this.committedUpTo; i++) {
      const c = this.committed[i];
      if (!c) continue;
      const e = m.entry(i);
      if (!e || e.term !== c.term) {
        report('LeaderCompleteness', `leader ${m.address} of term ${m.term} lacks committed entry ${i} (term ${c.term})`, {
          leader: m.address, term: m.term, index: i, committedTerm: c.term, leaderEntryTerm: e?.term, leaderLastIndex: m.lastIndex,
        });
        return;
      }
    }
  }

  /** Log Matching and "committed entries never change", over entries changed since the last scan. */
  private scanLog(m: RaftMemberView, marks: MemberMarks, report: Report): void {
    // Re-base the mirror on the member's compaction point.
    if (marks.mirrorBase !== m.snapshotIndex + 1) {
      const shift = m.snapshotIndex + 1 - marks.mirrorBase;
      marks.mirror = shift > 0 ? marks.mirror.slice(shift) : [];
      marks.mirrorBase = m.snapshotIndex + 1;
    }
    const mirror = marks.mirror;
    const base = marks.mirrorBase;
    // First index whose entry object differs from what we saw (new, overwritten or truncated). Without
    // rewrites since the last scan, only the tail can have changed.
    const end = Math.min(m.lastIndex, base + mirror.length - 1);
    const appendOnly = m.logRewrites !== undefined && m.logRewrites === marks.logRewrites && (end < base || m.entry(end) === mirror[end - base]);
    marks.logRewrites = m.logRewrites;
    let i = appendOnly ? end + 1 : base;
    while (i <= end && m.entry(i) === mirror[i - base]) i++;
    this.checkCommittedKept(m, mirror, base, i, report);
    mirror.length = Math.min(mirror.length, i - base);
    for (; i <= m.lastIndex; i++) {
      const e = m.entry(i)!;
      mirror.push(e);
      const prevTerm = i - 1 === m.snapshotIndex ? m.snapshotTerm : m.entry(i - 1)?.term;
      this.checkKnown(m.address, e, prevTerm, report);
    }
  }

  /**
   * A member may hold stale entries at committed indexes (a deposed leader's suffix) until a leader fixes
   * them, but an entry it holds that *is* the committed one must never be replaced or dropped.
   */
  private checkCommittedKept(m: RaftMemberView, mirror: RaftEntryView[], base: number, from: number, report: Report): void {
    for (let j = from; j < base + mirror.length; j++) {
      const before = mirror[j - base];
      const c = this.committed[j];
      if (!c || !entriesEqual(before, c)) continue;
      const now = m.entry(j);
      if (now && entriesEqual(now, before)) continue;
      report('CommittedEntryChanged', `${m.address} replaced committed entry ${j} (term ${c.term}) by ${now ? `term ${now.term}` : 'nothing'}`, {
        member: m.address, index: j, committedTerm: c.term, nowTerm: now?.term, lastIndex: m.lastIndex,
      });
      return;
    }
  }

  private checkKnown(address: string, e: RaftEntryView, prevTerm: number | undefined, report: Report): void {
    let byTerm = this.known.get(e.index);
    if (!byTerm) this.known.set(e.index, (byTerm = new Map()));
    const k = byTerm.get(e.term);
    if (!k) {
      byTerm.set(e.term, { entry: e, prevTerm, seenAt: address });
      return;
    }
    if (!entriesEqual(k.entry, e)) {
      report('LogMatching', `entry ${e.index} of term ${e.term} differs between ${k.seenAt} and ${address}`, {
        index: e.index, term: e.term, first: { member: k.seenAt, data: k.entry.data }, second: { member: address, data: e.data },
      });
    } else if (k.prevTerm !== undefined && prevTerm !== undefined && k.prevTerm !== prevTerm) {
      report('LogMatching', `entry ${e.index} of term ${e.term} follows term ${k.prevTerm} in ${k.seenAt} but term ${prevTerm} in ${address}`, {
        index: e.index, term: e.term, first: { member: k.seenAt, prevTerm: k.prevTerm }, second: { member: address, prevTerm },
      });
    } else if (k.prevTerm === undefined) {
      k.prevTerm = prevTerm;
    }
  }

  private checkLeaderAppendOnly(m: RaftMemberView, marks: MemberMarks, report: Report): void {
    if (m.role !== 'leader') {
      marks.leaderTerm = 0;
      return;
    }
    if (marks.leaderTerm === m.term && marks.leaderLastEntry) {
      const now = m.entry(marks.leaderLastIndex);
      const compacted = marks.leaderLastIndex <= m.snapshotIndex;
      if (m.lastIndex < marks.leaderLastIndex || (!compacted && now !== marks.leaderLastEntry && !(now && entriesEqual(now, marks.leaderLastEntry)))) {
        report('LeaderAppendOnly', `leader ${m.address} of term ${m.term} lost or rewrote entry ${marks.leaderLastIndex}`, {
          leader: m.address, term: m.term, index: marks.leaderLastIndex, before: marks.leaderLastEntry, after: now, lastIndex: m.lastIndex,
        });
      }
    }
    marks.leaderTerm = m.term;
    marks.leaderLastIndex = m.lastIndex;
    marks.leaderLastEntry = m.entry(m.lastIndex);
  }

  /**
   * Newly committed entries: record them (first observation wins), check the member agrees with what was
   * committed before, and that each newly committed entry is synced on a quorum of the member's voters.
   */
  private checkCommitted(m: RaftMemberView, marks: MemberMarks, disks: ReadonlyMap<string, RaftDurableView>, report: Report): void {
    if (m.commit < marks.commitChecked) marks.commitChecked = Math.max(m.snapshotIndex, m.commit);
    for (let i = Math.max(marks.commitChecked, m.snapshotIndex) + 1; i <= m.commit; i++) {
      const e = m.entry(i);
      if (!e) continue;
      const c = this.committed[i];
      if (c === undefined) {
        this.committed[i] = e;
        if (i > this.committedUpTo) this.committedUpTo = i;
        // Membership changes take effect when applied, which may be in the very step that committed:
        // the quorum that counted is the configuration before this step.
        this.checkDurableOnQuorum(m, marks.voters ?? m.voters, e, disks, report);
      } else if (c.term !== e.term || !entriesEqual(c, e)) {
        report('StateMachineSafety', `${m.address} committed entry ${i} of term ${e.term}; term ${c.term} was committed there before`, {
          member: m.address, index: i, term: e.term, committedTerm: c.term, data: e.data, committedData: c.data,
        });
      }
    }
    marks.commitChecked = Math.max(marks.commitChecked, m.commit);
  }

  private checkDurableOnQuorum(m: RaftMemberView, voters: readonly string[], e: RaftEntryView, disks: ReadonlyMap<string, RaftDurableView>, report: Report): void {
    const holders: string[] = [];
    for (const voter of voters) {
      const t = disks.get(voter)?.syncedEntryTerm(e.index);
      if (t === e.term || t === 'snapshot') holders.push(voter);
    }
    const quorum = Math.floor(voters.length / 2) + 1;
    if (holders.length < quorum) {
      report('CommittedNotDurable', `entry ${e.index} (term ${e.term}) committed by ${m.address} is synced on ${holders.length} of ${voters.length} voters`, {
        member: m.address, index: e.index, term: e.term, syncedOn: holders, voters,
      });
    }
  }

  /** State Machine Safety: what a member applies at an index is what every member applies there. */
  private checkApplied(m: RaftMemberView, marks: MemberMarks, report: Report): void {
    if (m.applied < marks.appliedChecked) marks.appliedChecked = m.applied;
    for (let i = Math.max(marks.appliedChecked, m.snapshotIndex) + 1; i <= m.applied; i++) {
      const e = m.entry(i);
      if (!e) continue;
      const first = this.applied.get(i);
      if (!first) this.applied.set(i, { entry: e, by: m.address });
      else if (first.entry !== e && !entriesEqual(first.entry, e)) {
        report('StateMachineSafety', `${first.by} applied entry ${i} of term ${first.entry.term}, ${m.address} applied term ${e.term}`, {
          index: i, first: { member: first.by, term: first.entry.term, data: first.entry.data }, second: { member: m.address, term: e.term, data: e.data },
        });
      }
    }
    marks.appliedChecked = Math.max(marks.appliedChecked, m.applied);
  }
}

type Report = (property: RaftProperty, message: string, details: Record<string, unknown>) => void;

/**
 * End of run: members at the same applied index must have the same state-machine digest (etcd's HashKV
 * agreement). Members at different applied indexes are not comparable and are skipped.
 */
export function checkAppliedStateAgreement(members: readonly RaftMemberView[], at?: number): RaftViolation[] {
  const byApplied = new Map<number, { address: string; hash: string }>();
  const out: RaftViolation[] = [];
  for (const m of members) {
    if (!m.kvHash) continue;
    const hash = m.kvHash();
    const first = byApplied.get(m.applied);
    if (!first) byApplied.set(m.applied, { address: m.address, hash });
    else if (first.hash !== hash) {
      const v: RaftViolation = {
        property: 'AppliedStateAgreement',
        message: `${first.address} and ${m.address} both applied up to ${m.applied} but their state differs`,
        details: { applied: m.applied, [first.address]: first.hash, [m.address]: hash },
      };
      if (at !== undefined) v.at = at;
      out.push(v);
    }
  }
  return out;
}
