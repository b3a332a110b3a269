import type { LinkModel } from '../../../src/bus/network.ts';
import type { KvRequest, KvResponseBatchMessage, KvResponseMessage, WatchResponseMessage } from '../../../src/etcd/protocol.ts';
import type { ComponentHost } from '../../../src/host/component-host.ts';
import { Simulation } from '../../../src/host/simulation.ts';
import type { VirtualClock } from '../../../src/sim/clock.ts';
import type { RaftViolation } from '../../../src/check/raft/index.ts';
import { EtcdRaftChecker } from '../check.ts';
import { etcdMemberMachine } from '../member.machine.ts';
import { HARDSTATE_KEY, walBlocks } from '../raft/storage.ts';
import type { Entry, EntryData } from '../raft/types.ts';
import type { EtcdMemberConfig, MemberContext } from '../types.ts';
import { memberStatus, type MemberStatus } from '../view.ts';

export const CLIENT = 'client';

export interface ClusterOptions {
  seed?: number | string;
  size?: number;
  /** Initial members' addresses (default etcd-1…etcd-N). */
  members?: string[];
  config?: Partial<EtcdMemberConfig>;
  /** Per-member overrides (e.g. a shorter election timeout to pick who campaigns first). */
  memberConfig?: (address: string) => Partial<EtcdMemberConfig>;
  link?: Partial<LinkModel>;
  /** Create the hosts without starting them (to craft their disks first). */
  start?: boolean;
  /** Check Raft safety after every step (default true). */
  check?: boolean;
}

/**
 * A simulated etcd cluster for tests: members on one bus, a client address that records responses and
 * watch events, and the Raft safety checker run after every simulation step.
 */
export class TestCluster {
  readonly sim: Simulation;
  readonly members: string[];
  readonly checker: EtcdRaftChecker;
  /** Every answer by request id, whether it came alone (`etcd.response`) or in an `etcd.responseBatch`. */
  readonly responses = new Map<string, KvResponseMessage & { at: number; from: string }>();
  /** The `etcd.responseBatch` messages received, in order. */
  readonly responseBatches: (KvResponseBatchMessage & { at: number; from: string })[] = [];
  /** Request ids answered by an `etcd.response` of their own. */
  readonly answeredAlone = new Set<string>();
  readonly watchEvents: (WatchResponseMessage & { at: number; from: string })[] = [];
  private readonly addresses: string[];
  private nextRequest = 0;
  private readonly check: boolean;

  constructor(private readonly options: ClusterOptions = {}) {
    this.sim = new Simulation({ seed: options.seed ?? 1, link: options.link });
    this.members = options.members ?? Array.from({ length: options.size ?? 3 }, (_, i) => `etcd-${i + 1}`);
    this.addresses = [...this.members];
    this.check = options.check ?? true;
    this.checker = new EtcdRaftChecker(this.sim, () => this.addresses);
    for (const address of this.members) {
      this.sim.add(address, etcdMemberMachine, this.configFor(options.memberConfig?.(address)), { start: options.start ?? true });
    }
    this.sim.bus.inbox(CLIENT).subscribe((envelope) => {
      const message = envelope.message as (KvResponseMessage | KvResponseBatchMessage | WatchResponseMessage) & { from: string };
      if (message.type === 'etcd.response') {
        this.responses.set(message.requestId, { ...message, at: this.sim.now });
        this.answeredAlone.add(message.requestId);
      } else if (message.type === 'etcd.responseBatch') {
        this.responseBatches.push({ ...message, at: this.sim.now });
        for (const r of message.responses) {
          this.responses.set(r.requestId, { type: 'etcd.response', ...r, at: this.sim.now, from: message.from });
        }
      } else if (message.type === 'etcd.watch.response') this.watchEvents.push({ ...message, at: this.sim.now });
    });
  }

  configFor(extra: Partial<EtcdMemberConfig> = {}): EtcdMemberConfig {
    return { members: this.members, ...this.options.config, ...extra };
  }

  /** Hosts a member that joins the running cluster (after a memberAdd). */
  addJoiner(address: string, extra: Partial<EtcdMemberConfig> = {}): ComponentHost {
    this.addresses.push(address);
    return this.sim.add(address, etcdMemberMachine, this.configFor({ join: true, ...extra }));
  }

  host(address: string): ComponentHost {
    return this.sim.host(address);
  }

  context(address: string): MemberContext | undefined {
    return this.sim.host(address).snapshot()?.context as MemberContext | undefined;
  }

  status(address: string): MemberStatus | undefined {
    return memberStatus(this.sim.host(address).snapshot());
  }

  /** The running leader with the highest term, if any. */
  leader(): string | undefined {
    let best: MemberStatus | undefined;
    for (const address of this.addresses) {
      const s = this.status(address);
      if (s?.role === 'leader' && (!best || s.term > best.term)) best = s;
    }
    return best?.address;
  }

  followers(): string[] {
    const leader = this.leader();
    return this.members.filter((m) => m !== leader);
  }

  /** Runs to virtual time `time`, checking safety after every fired timer. */
  runUntil(time: number): void {
    if (!this.check) return this.sim.runUntil(time);
    const clock = this.sim.clock as VirtualClock;
    for (;;) {
      const next = clock.nextDeadline();
      if (next === undefined || next > time) break;
      this.sim.step();
      this.checker.check();
    }
    this.sim.runUntil(time);
    this.checker.check();
  }

  runFor(ms: number): void {
    this.runUntil(this.sim.now + ms);
  }

  /** Fires one timer at a time (checking after each) until `predicate` holds; false after `timeoutMs`. */
  stepUntil(predicate: () => boolean, timeoutMs: number): boolean {
    const clock = this.sim.clock as VirtualClock;
    const deadline = this.sim.now + timeoutMs;
    while (!predicate()) {
      const next = clock.nextDeadline();
      if (next === undefined || next > deadline) return false;
      this.sim.step();
      if (this.check) this.checker.check();
    }
    return true;
  }

  /** Runs until `predicate` holds or `timeoutMs` pass; returns whether it held. */
  runUntilTrue(predicate: () => boolean, timeoutMs: number): boolean {
    const deadline = this.sim.now + timeoutMs;
    while (!predicate()) {
      if (this.sim.now >= deadline) return false;
      this.runFor(Math.min(10, deadline - this.sim.now));
    }
    return true;
  }

  /** Runs until a leader is elected; throws if none within `timeoutMs`. */
  awaitLeader(timeoutMs = 10_000): string {
    if (!this.runUntilTrue(() => this.leader() !== undefined, timeoutMs)) throw new Error('no leader elected');
    return this.leader()!;
  }

  /** Sends client requests to `member` in one `etcd.requestBatch` (ids may be given); returns their ids. */
  requestBatch(member: string, requests: readonly (KvRequest | { requestId: string; request: KvRequest })[]): string[] {
    const batch = requests.map((r) => ('requestId' in r ? r : { requestId: `req-${this.nextRequest++}`, request: r }));
    this.sim.bus.send(CLIENT, member, { type: 'etcd.requestBatch', from: CLIENT, requests: batch });
    return batch.map((r) => r.requestId);
  }

  /** Sends a client request to `member`; returns its request id. */
  request(member: string, request: KvRequest): string {
    const requestId = `req-${this.nextRequest++}`;
    this.sim.bus.send(CLIENT, member, { type: 'etcd.request', from: CLIENT, requestId, request });
    return requestId;
  }

  send(member: string, message: { type: string; [field: string]: unknown }): void {
    this.sim.bus.send(CLIENT, member, { ...message, from: CLIENT });
  }

  put(member: string, key: string, value: string): string {
    return this.request(member, { op: 'put', key, value });
  }

  get(member: string, key: string, serializable = false): string {
    return this.request(member, { op: 'range', key, serializable });
  }

  /** Runs until the response to `requestId` arrives (or `timeoutMs`), and returns it. */
  await(requestId: string, timeoutMs = 5_000): (KvResponseMessage & { at: number; from: string }) | undefined {
    this.runUntilTrue(() => this.responses.has(requestId), timeoutMs);
    return this.responses.get(requestId);
  }

  /** The value read by a completed range response (undefined when absent or failed). */
  valueOf(requestId: string): string | undefined {
    const r = this.responses.get(requestId);
    if (!r || !r.ok) return undefined;
    return (r.result as { kvs: { value: string }[] }).kvs[0]?.value;
  }

  get violations(): readonly RaftViolation[] {
    return this.checker.violations;
  }

  /** Ends the run: one last check plus applied-state agreement. */
  finish(): RaftViolation[] {
    return this.checker.finish();
  }

  isolate(member: string, id = `isolate-${member}`): void {
    this.sim.partition({ id, from: [member], to: this.addresses.filter((a) => a !== member).concat(CLIENT), oneWay: false });
  }
}

/**
 * Writes a crafted Raft state onto a stopped member's disk: log entries given as terms (index = position
 * + 1, index 1 being the bootstrap entry), and the hard state.
 */
export function craftDisk(host: ComponentHost, members: string[], terms: number[], hard: { term: number; vote?: string | null; commit: number }): void {
  const entries = terms.map((term, i): Entry => {
    const index = i + 1;
    const data: EntryData =
      index === 1
        ? { kind: 'conf', change: { op: 'bootstrap', voters: members, learners: [] }, origin: '', requestId: 'bootstrap' }
        : // The same (index, term) gets the same payload on every member, as Log Matching demands.
          { kind: 'command', command: { type: 'put', key: `crafted/${index}`, value: `t${term}` }, origin: '', requestId: `crafted-${index}-${term}` };
    return { term, index, data, size: 32 };
  });
  for (const [key, block] of walBlocks(entries)) host.disk.write(key, block);
  host.disk.write(HARDSTATE_KEY, { term: hard.term, vote: hard.vote ?? null, commit: hard.commit });
  host.disk.sync();
}
