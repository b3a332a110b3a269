import type { Subscription } from 'rxjs';
import type { OpOutcome } from '../../../machines/etcd-client/types.ts';
import { etcdMemberMachine, type EtcdMemberConfig } from '../../../machines/etcd-member/index.ts';
import type { MemberRequest } from '../../etcd/protocol.ts';
import type { ComponentHost } from '../../host/component-host.ts';
import type { Simulation } from '../../host/simulation.ts';

/** Address of the etcd client an operator uses for `etcdctl member …` (never partitioned by a campaign). */
export const OPERATOR = 'operator';

/** Wait before retrying a membership request whose outcome was an error or unknown. */
const RETRY_MS = 500;

/** One replacement: remove `target`, add `replacement` (empty disk), start it. */
export interface Replacement {
  target: string;
  replacement: string;
}

export interface ReplacementRecord extends Replacement {
  startedAt: number;
  removedAt?: number;
  addedAt?: number;
  /** When the new member was started (joining the running cluster). */
  joinedAt?: number;
}

/**
 * Replaces failed etcd members as etcd's runbook does ("Replacing a failed etcd member"): the failed
 * member is stopped for good (its disk is gone), `etcdctl member remove` takes it out of the
 * configuration, `etcdctl member add` adds the new member, and the new member starts with an empty data
 * directory and `--initial-cluster-state existing`, catching up from the leader (by snapshot if the log
 * it needs was compacted). Each step goes through an etcd client on the bus and is retried until the
 * cluster answers, as an operator would: a remove answered `member not found`, or an add answered
 * `member ID already exist`, means an earlier attempt whose answer was lost had succeeded.
 * Replacements run one at a time, in the order they were asked for.
 */
export class MemberReplacer {
  private readonly queue: Replacement[] = [];
  private current: ReplacementRecord | undefined;
  private readonly done: ReplacementRecord[] = [];
  private readonly retired = new Set<string>();
  private readonly subscription: Subscription;
  private pendingOp: { opId: string; onOutcome: (outcome: OpOutcome) => void } | undefined;
  private sequence = 0;

  constructor(
    private readonly sim: Simulation,
    private readonly operator: ComponentHost,
    /** The configuration a new member starts with (`join` is added). */
    private readonly memberConfig: EtcdMemberConfig,
    /** Called once a replacement's member is hosted (so checkers start watching it). */
    private readonly onJoined: (address: string) => void,
  ) {
    this.subscription = sim.events.subscribe((event) => {
      if (event.kind !== 'observe' || event.observation.type !== 'obs.etcd.complete') return;
      const o = event.observation as { opId?: string; outcome?: OpOutcome };
      const pending = this.pendingOp;
      if (!pending || o.opId !== pending.opId || !o.outcome) return;
      this.pendingOp = undefined;
      // Off the client's step: the next request goes out from a timer of its own.
      const outcome = o.outcome;
      this.sim.clock.setTimeout(() => pending.onOutcome(outcome), 0);
    });
  }

  /** Members stopped for good by a replacement: faults must not bring them back. */
  isRetired(address: string): boolean {
    return this.retired.has(address);
  }

  /** Replacements finished or under way, for the run's statistics and tests. */
  records(): readonly ReplacementRecord[] {
    return this.current ? [...this.done, this.current] : this.done;
  }

  replace(replacement: Replacement): void {
    if (this.sim.has(replacement.replacement) || this.queue.some((r) => r.replacement === replacement.replacement)) return;
    this.queue.push(replacement);
    if (!this.current) this.next();
  }

  stop(): void {
    this.subscription.unsubscribe();
  }

  private next(): void {
    const replacement = this.queue.shift();
    if (!replacement) return;
    this.current = { ...replacement, startedAt: this.sim.now };
    // The failed member is gone with its disk: it never comes back under this address.
    this.retired.add(replacement.target);
    this.sim.crash(replacement.target, { loseUnsynced: true });
    this.remove();
  }

  private remove(): void {
    const record = this.current!;
    this.request({ op: 'memberRemove', member: record.target }, (outcome) => {
      if (succeeded(outcome, 'MemberNotFound')) {
        record.removedAt = this.sim.now;
        this.add();
      } else this.retry(() => this.remove());
    });
  }

  private add(): void {
    const record = this.current!;
    this.request({ op: 'memberAdd', member: record.replacement }, (outcome) => {
      if (succeeded(outcome, 'MemberExists')) {
        record.addedAt = this.sim.now;
        this.join();
      } else this.retry(() => this.add());
    });
  }

  private join(): void {
    const record = this.current!;
    this.sim.add(record.replacement, etcdMemberMachine, { ...this.memberConfig, join: true });
    record.joinedAt = this.sim.now;
    this.onJoined(record.replacement);
    this.done.push(record);
    this.current = undefined;
    this.next();
  }

  private retry(step: () => void): void {
    this.sim.clock.setTimeout(step, RETRY_MS);
  }

  private request(request: MemberRequest, onOutcome: (outcome: OpOutcome) => void): void {
    const opId = `member-${this.sequence++}`;
    this.pendingOp = { opId, onOutcome };
    this.operator.send({ type: 'etcd.client.invoke', opId, request });
  }
}

/** Done, or refused in the way that means an earlier attempt already did it. */
function succeeded(outcome: OpOutcome, alreadyDone: string): boolean {
  return outcome.status === 'ok' || (outcome.status === 'error' && outcome.error.code === alreadyDone);
}
