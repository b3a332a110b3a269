// Safety: at most one leader acts per lease term. Components that hold a leader-election Lease emit an
// observation each time they act as leader (schedule a pod, write for a controller); the term is the
// Lease's leaseTransitions when they acquired it. Two holders acting in one term, or a holder acting in an
// older term after a newer leader has acted (a leader that kept going after losing its lease), is a
// violation.
import { violation, type Violation } from '../convergence/violation.ts';

/** What a component emits when it acts as leader (through `emit`, so it lands on `sim.events`). */
export interface LeaderActObservation {
  readonly type: 'obs.leader.act';
  /** "namespace/name" of the Lease: "kube-system/kube-scheduler", "kube-system/kube-controller-manager". */
  readonly lease: string;
  /** The holderIdentity it acts as: "<hostname>_<uuid>". */
  readonly holder: string;
  /** The Lease's leaseTransitions when this holder acquired it. */
  readonly term: number;
  /** Virtual ms. */
  readonly at: number;
}


interface LeaseHistory {
  readonly holders: Map<number, { holder: string; at: number }>;
  newest?: { term: number; holder: string; at: number };
  readonly reported: Set<string>;
}

/** Checks leader acts as they happen (in time order); `add` returns the new violations. */
export class LeaderActChecker {
  private readonly leases = new Map<string, LeaseHistory>();
  readonly violations: Violation[] = [];

  add(act: LeaderActObservation): Violation[] {
    let h = this.leases.get(act.lease);
    if (!h) this.leases.set(act.lease, (h = { holders: new Map(), reported: new Set() }));
    const object = `Lease ${act.lease}`;
    const found: Violation[] = [];
    const report = (key: string, detail: string) => {
      if (h.reported.has(key)) return;
      h.reported.add(key);
      found.push(violation('leader-per-term', object, detail, act.at));
    };
    const first = h.holders.get(act.term);
    if (!first) h.holders.set(act.term, { holder: act.holder, at: act.at });
    else if (first.holder !== act.holder) {
      report(`two:${act.term}:${act.holder}`, `had two leaders acting in term ${act.term}: ${first.holder} (from ${first.at}ms) and ${act.holder} (at ${act.at}ms).`);
    }
    const newest = h.newest;
    if (newest && act.term < newest.term) {
      report(`stale:${act.term}:${act.holder}`, `holder ${act.holder} acted in term ${act.term} at ${act.at}ms, after ${newest.holder} had acted as leader in term ${newest.term} (at ${newest.at}ms): it kept acting after losing the lease.`);
    }
    if (!newest || act.term > newest.term) h.newest = { term: act.term, holder: act.holder, at: act.at };
    this.violations.push(...found);
    return found;
  }
}

export function isLeaderActObservation(x: unknown): x is LeaderActObservation {
  return typeof x === 'object' && x !== null && (x as { type?: unknown }).type === 'obs.leader.act';
}

/** Checks a whole list of acts (sorted by time here; acts at the same instant keep their order). */
export function checkLeaderActs(acts: Iterable<LeaderActObservation>): Violation[] {
  const sorted = [...acts].map((a, i) => ({ a, i })).sort((x, y) => x.a.at - y.a.at || x.i - y.i);
  const checker = new LeaderActChecker();
  for (const { a } of sorted) checker.add(a);
  return checker.violations;
}
