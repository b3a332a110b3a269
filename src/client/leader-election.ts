// client-go's leaderelection (tools/leaderelection, 1.30) over a coordination.k8s.io/v1 Lease, as a pure
// state machine: the caller feeds it time (`electorTick` when `electorWakeup` comes due) and the API's
// answers (`electorReceive`); it returns the requests to send and what happened (started / stopped leading,
// a new leader observed). One request is in flight at a time, as in client-go.
//
// The algorithm, as LeaderElector.Run does it:
// - acquire: tryAcquireOrRenew now, then after each failure wait Jitter(retryPeriod, 1.2) and try again;
// - once acquired, renew: a round of tryAcquireOrRenew attempts, retried every retryPeriod (measured from
//   each attempt's start) until one succeeds or renewDeadline has passed since the round began; a round
//   that runs out stops leading (OnStoppedLeading — kube-scheduler and kube-controller-manager then exit);
//   after a successful round, the next starts retryPeriod later;
// - tryAcquireOrRenew: a leader whose lease is still valid first updates the Lease it last saw
//   (optimistically, its resourceVersion the precondition); otherwise, or when that fails: get the Lease
//   (create it when NotFound); if someone else holds it and it has not expired — judged by when *we* last
//   saw it change plus its leaseDurationSeconds, never by the holder's clock — give up; else update it to
//   name us, counting one more leaseTransition when the holder changes.
import type { Lease, LeaseSpec } from 'kubernetes-types/coordination/v1.js';
import type { ApiRequest, ApiRequestMessage, ApiResponseMessage, UserInfo } from '../apiserver/protocol.ts';
import type { Address } from '../bus/envelope.ts';
import { canonicalJson } from '../api/names.ts';
import { microTime, parseTimestamp, rfc3339 } from '../kubelet/format.ts';
import { rngNext, uuidV4FromBytes, type RngState } from '../sim/random.ts';
import { failureOf, isNotFound } from './api-status.ts';
import { createRequest, getRequest, sendRequest, updateRequest, type Outgoing, type ResourceTarget } from './requests.ts';

export const LEASES: ResourceTarget = Object.freeze({ group: 'coordination.k8s.io', version: 'v1', resource: 'leases' });

/** The defaults kube-scheduler and kube-controller-manager use (--leader-elect-*). */
export const LEASE_DURATION_MS = 15_000;
export const RENEW_DEADLINE_MS = 10_000;
export const RETRY_PERIOD_MS = 2_000;
/** JitterFactor: acquire retries wait retryPeriod × (1 + 1.2 × rand). */
export const ACQUIRE_JITTER_FACTOR = 1.2;

export interface LeaderElectionConfig {
  /** The Lease: kube-system/kube-scheduler, kube-system/kube-controller-manager. */
  readonly namespace: string;
  readonly name: string;
  /** holderIdentity: "<hostname>_<uuid>" (see leaderElectionIdentity). */
  readonly identity: string;
  readonly leaseDurationMs?: number;
  readonly renewDeadlineMs?: number;
  readonly retryPeriodMs?: number;
  /** The HTTP client's timeout (kube-controller-manager sets renewDeadline; so do we by default). */
  readonly requestTimeoutMs?: number;
  /** On stopping, write the Lease with no holder so others need not wait for it to expire. */
  readonly releaseOnCancel?: boolean;
  readonly user?: UserInfo;
  /** Prefix of this elector's requestIds, so a host can route answers to it. */
  readonly requestIdPrefix?: string;
}

export type ResolvedLeaderElectionConfig = Required<Omit<LeaderElectionConfig, 'user'>> & Pick<LeaderElectionConfig, 'user'>;

/** resourcelock.LeaderElectionRecord. */
export interface LeaderElectionRecord {
  readonly holderIdentity: string;
  readonly leaseDurationSeconds: number;
  readonly acquireTime?: string;
  readonly renewTime?: string;
  readonly leaderTransitions: number;
}

type Step = 'fast-update' | 'get' | 'create' | 'update' | 'release';

interface InFlight {
  readonly requestId: string;
  readonly step: Step;
  /** `now` at the start of this tryAcquireOrRenew (the record's times and the validity check use it). */
  readonly attemptAt: number;
  readonly timeoutAt: number;
  /** The record being written (update/create steps). */
  readonly record?: LeaderElectionRecord;
}

export type ElectorPhase = 'acquiring' | 'leading' | 'stopped';

export interface ElectorState {
  readonly config: ResolvedLeaderElectionConfig;
  readonly phase: ElectorPhase;
  /** The record we last saw or wrote, and when (our clock): the lease is valid until at + duration. */
  readonly observed?: { readonly record: LeaderElectionRecord; readonly at: number };
  /** The raw record of the last Lease read, to notice change (observedRawRecord). */
  readonly observedRaw?: string;
  /** The Lease as the server last returned it: its resourceVersion is the precondition of our updates. */
  readonly lease?: Lease;
  readonly call?: InFlight;
  /** When the next tryAcquireOrRenew starts (none while one is in flight, or once stopped). */
  readonly nextTryAt?: number;
  /** Leading: when the current renew round gives up; undefined between rounds. */
  readonly roundDeadline?: number;
  /** Leading: the Lease's leaseTransitions when we acquired it — our term. */
  readonly term?: number;
  /** The leader last reported through a new-leader event. */
  readonly reportedLeader?: string;
  readonly rng: RngState;
  readonly seq: number;
}

export interface ElectorCall {
  readonly requestId: string;
  readonly request: ApiRequest;
}

export type ElectorEvent =
  | { readonly type: 'started-leading'; readonly term: number; readonly at: number }
  | { readonly type: 'stopped-leading'; readonly at: number; readonly reason: string }
  | { readonly type: 'new-leader'; readonly holder: string; readonly at: number }
  /** What the lock records as a Kubernetes Event on the Lease (reason LeaderElection). */
  | { readonly type: 'record-event'; readonly reason: 'LeaderElection'; readonly message: string; readonly at: number };

export interface ElectorStep {
  readonly state: ElectorState;
  readonly calls: readonly ElectorCall[];
  readonly events: readonly ElectorEvent[];
}

/** "<hostname>_<uuid>", as kube-scheduler and kube-controller-manager name themselves; a fresh uuid per process. */
export function leaderElectionIdentity(hostname: string, rng: RngState): [identity: string, next: RngState] {
  const bytes: number[] = [];
  let state = rng;
  for (let i = 0; i < 16; i++) {
    const [u, next] = rngNext(state);
    bytes.push(Math.floor(u * 256));
    state = next;
  }
  return [`${hostname}_${uuidV4FromBytes(bytes)}`, state];
}

export function resolveLeaderElectionConfig(c: LeaderElectionConfig): ResolvedLeaderElectionConfig {
  const renewDeadlineMs = c.renewDeadlineMs ?? RENEW_DEADLINE_MS;
  return {
    namespace: c.namespace,
    name: c.name,
    identity: c.identity,
    leaseDurationMs: c.leaseDurationMs ?? LEASE_DURATION_MS,
    renewDeadlineMs,
    retryPeriodMs: c.retryPeriodMs ?? RETRY_PERIOD_MS,
    requestTimeoutMs: c.requestTimeoutMs ?? renewDeadlineMs,
    releaseOnCancel: c.releaseOnCancel ?? false,
    requestIdPrefix: c.requestIdPrefix ?? `leader-election/${c.namespace}/${c.name}/`,
    ...(c.user ? { user: c.user } : {}),
  };
}

/** A new elector; its first attempt is due at once (call electorTick at `now`). */
export function newElector(config: LeaderElectionConfig, rng: RngState, now: number): ElectorState {
  return { config: resolveLeaderElectionConfig(config), phase: 'acquiring', nextTryAt: now, rng, seq: 0 };
}

export const isLeading = (s: ElectorState): boolean => s.phase === 'leading';

/** The observation a component emits each time it acts as leader; undefined when it is not leading. */
export function leaderActObservation(s: ElectorState, now: number): { type: 'obs.leader.act'; lease: string; holder: string; term: number; at: number } | undefined {
  if (s.phase !== 'leading' || s.term === undefined) return undefined;
  return { type: 'obs.leader.act', lease: `${s.config.namespace}/${s.config.name}`, holder: s.config.identity, term: s.term, at: now };
}

/** When the elector next needs electorTick (undefined: never, e.g. stopped). */
export function electorWakeup(s: ElectorState): number | undefined {
  const times = [s.call?.timeoutAt, s.nextTryAt, s.roundDeadline].filter((t): t is number => t !== undefined);
  return times.length > 0 ? Math.min(...times) : undefined;
}

/** Whether an answer with this requestId is the elector's (current or abandoned). */
export function electorOwnsRequest(s: ElectorState, requestId: string): boolean {
  return requestId.startsWith(s.config.requestIdPrefix);
}

// --- records and the Lease ------------------------------------------------------------------------

/** LeaseSpecToLeaderElectionRecord. */
export function recordFromLease(lease: Lease | undefined): LeaderElectionRecord {
  const spec = lease?.spec;
  return {
    holderIdentity: spec?.holderIdentity ?? '',
    leaseDurationSeconds: spec?.leaseDurationSeconds ?? 0,
    leaderTransitions: spec?.leaseTransitions ?? 0,
    ...(spec?.acquireTime ? { acquireTime: spec.acquireTime } : {}),
    ...(spec?.renewTime ? { renewTime: spec.renewTime } : {}),
  };
}

/** LeaderElectionRecordToLeaseSpec. */
export function leaseSpecFromRecord(r: LeaderElectionRecord): LeaseSpec {
  return {
    holderIdentity: r.holderIdentity,
    leaseDurationSeconds: r.leaseDurationSeconds,
    ...(r.acquireTime ? { acquireTime: r.acquireTime } : {}),
    ...(r.renewTime ? { renewTime: r.renewTime } : {}),
    leaseTransitions: r.leaderTransitions,
  };
}

/** The record's JSON as client-go compares it: its times are metav1.Time, so whole seconds. */
function rawRecord(r: LeaderElectionRecord): string {
  const seconds = (t: string | undefined) => (t ? rfc3339(parseTimestamp(t)) : undefined);
  return canonicalJson({ ...r, acquireTime: seconds(r.acquireTime), renewTime: seconds(r.renewTime) });
}

const isLeader = (s: ElectorState): boolean => s.observed?.record.holderIdentity === s.config.identity;

/** isLeaseValid: the record we saw has not outlived its duration since we saw it. */
function isLeaseValid(s: ElectorState, now: number): boolean {
  return s.observed !== undefined && s.observed.at + s.observed.record.leaseDurationSeconds * 1000 > now;
}

// --- one transaction ------------------------------------------------------------------------------

class Tx {
  readonly calls: ElectorCall[] = [];
  readonly events: ElectorEvent[] = [];
  constructor(public state: ElectorState, readonly now: number) {}

  set(patch: Partial<ElectorState>): void {
    this.state = { ...this.state, ...patch };
  }

  send(step: Step, request: ApiRequest, attemptAt: number, record?: LeaderElectionRecord): void {
    const s = this.state;
    const requestId = `${s.config.requestIdPrefix}${s.seq + 1}`;
    let timeoutAt = this.now + s.config.requestTimeoutMs;
    if (s.roundDeadline !== undefined) timeoutAt = Math.min(timeoutAt, s.roundDeadline);
    this.set({ seq: s.seq + 1, call: { requestId, step, attemptAt, timeoutAt, ...(record ? { record } : {}) }, nextTryAt: undefined });
    this.calls.push({ requestId, request });
  }

  done(): ElectorStep {
    return { state: this.state, calls: this.calls, events: this.events };
  }
}

function leaseBody(s: ElectorState, record: LeaderElectionRecord): Lease {
  return { ...s.lease, spec: leaseSpecFromRecord(record) };
}

function update(tx: Tx, step: Step, record: LeaderElectionRecord, attemptAt: number): void {
  const c = tx.state.config;
  tx.send(step, updateRequest(LEASES, c.name, leaseBody(tx.state, record), { namespace: c.namespace, ...(c.user ? { user: c.user } : {}) }), attemptAt, record);
}

function get(tx: Tx, attemptAt: number): void {
  const c = tx.state.config;
  tx.send('get', getRequest(LEASES, c.name, { namespace: c.namespace, ...(c.user ? { user: c.user } : {}) }), attemptAt);
}

/** tryAcquireOrRenew, first request. */
function startAttempt(tx: Tx): void {
  const s = tx.state;
  const now = tx.now;
  const record: LeaderElectionRecord = {
    holderIdentity: s.config.identity, leaseDurationSeconds: Math.floor(s.config.leaseDurationMs / 1000),
    renewTime: microTime(now), acquireTime: microTime(now), leaderTransitions: 0,
  };
  // 1. The leader's fast path: update the Lease it saw last, assuming nobody else wrote it since.
  if (isLeader(s) && isLeaseValid(s, now) && s.lease) {
    const old = s.observed!.record;
    update(tx, 'fast-update', { ...record, ...(old.acquireTime ? { acquireTime: old.acquireTime } : {}), leaderTransitions: old.leaderTransitions }, now);
    return;
  }
  // 2. Get (or create) the record.
  get(tx, now);
}

function maybeReportTransition(tx: Tx): void {
  const holder = tx.state.observed?.record.holderIdentity;
  if (holder === undefined || holder === tx.state.reportedLeader) return;
  tx.set({ reportedLeader: holder });
  tx.events.push({ type: 'new-leader', holder, at: tx.now });
}

function jitteredRetry(tx: Tx): number {
  const [u, rng] = rngNext(tx.state.rng);
  tx.set({ rng });
  return tx.state.config.retryPeriodMs * (1 + u * ACQUIRE_JITTER_FACTOR);
}

function stopLeading(tx: Tx, reason: string): void {
  const s = tx.state;
  tx.set({ phase: 'stopped', call: undefined, nextTryAt: undefined, roundDeadline: undefined });
  tx.events.push({ type: 'record-event', reason: 'LeaderElection', message: `${s.config.identity} stopped leading`, at: tx.now });
  tx.events.push({ type: 'stopped-leading', at: tx.now, reason });
  // release(): give the Lease up if we still hold it by what we last saw.
  if (s.config.releaseOnCancel && isLeader(s) && s.lease) {
    const record: LeaderElectionRecord = {
      holderIdentity: '', leaseDurationSeconds: 1, renewTime: microTime(tx.now), acquireTime: microTime(tx.now),
      leaderTransitions: s.observed!.record.leaderTransitions,
    };
    tx.set({ roundDeadline: undefined });
    update(tx, 'release', record, tx.now);
    tx.set({ nextTryAt: undefined });
  }
}

/** The attempt ended: in `acquiring`, either lead or retry later; in `leading`, end or continue the round. */
function attemptEnded(tx: Tx, succeeded: boolean, attemptAt: number): void {
  tx.set({ call: undefined });
  const s = tx.state;
  maybeReportTransition(tx);
  if (s.phase === 'acquiring') {
    if (!succeeded) {
      tx.set({ nextTryAt: tx.now + jitteredRetry(tx) });
      return;
    }
    const term = s.observed!.record.leaderTransitions;
    tx.set({ phase: 'leading', term, roundDeadline: tx.now + s.config.renewDeadlineMs, nextTryAt: tx.now });
    tx.events.push({ type: 'record-event', reason: 'LeaderElection', message: `${s.config.identity} became leader`, at: tx.now });
    tx.events.push({ type: 'started-leading', term, at: tx.now });
    return;
  }
  if (s.phase !== 'leading') return;
  if (succeeded) {
    // wait.Until: the next round starts retryPeriod after this one ended.
    tx.set({ roundDeadline: undefined, nextTryAt: tx.now + s.config.retryPeriodMs });
    return;
  }
  // PollUntilContextTimeout: the next attempt retryPeriod after this one started, within the round.
  tx.set({ nextTryAt: Math.max(tx.now, attemptAt + s.config.retryPeriodMs) });
}

/** Time passed: start a due attempt, time out a request, or end a renew round that ran out. */
export function electorTick(state: ElectorState, now: number): ElectorStep {
  const tx = new Tx(state, now);
  const s = tx.state;
  if (s.phase === 'leading' && s.roundDeadline !== undefined && now >= s.roundDeadline) {
    stopLeading(tx, `failed to renew lease ${s.config.namespace}/${s.config.name}: timed out waiting for the condition`);
    return tx.done();
  }
  if (s.call && now >= s.call.timeoutAt) {
    const call = s.call;
    if (call.step === 'release') tx.set({ call: undefined });
    else if (call.step === 'fast-update') get(tx, call.attemptAt);
    else attemptEnded(tx, false, call.attemptAt);
  }
  const t = tx.state;
  if (!t.call && t.phase !== 'stopped' && t.nextTryAt !== undefined && now >= t.nextTryAt) {
    if (t.phase === 'leading' && t.roundDeadline === undefined) tx.set({ roundDeadline: now + t.config.renewDeadlineMs });
    startAttempt(tx);
  }
  return tx.done();
}

/** An answer to one of the elector's requests (answers to abandoned requests are ignored). */
export function electorReceive(state: ElectorState, message: Pick<ApiResponseMessage, 'requestId' | 'code' | 'body'>, now: number): ElectorStep {
  const tx = new Tx(state, now);
  const call = state.call;
  if (!call || call.requestId !== message.requestId) return tx.done();
  const failure = failureOf(message);
  const body = message.body as Lease;
  switch (call.step) {
    case 'release':
      tx.set({ call: undefined, ...(failure ? {} : { lease: body, observed: { record: call.record!, at: now } }) });
      break;
    case 'fast-update':
      if (!failure) {
        tx.set({ lease: body, observed: { record: call.record!, at: now } });
        attemptEnded(tx, true, call.attemptAt);
      } else get(tx, call.attemptAt); // "failed to update lock optimistically, falling back to slow path"
      break;
    case 'create':
    case 'update':
      if (!failure) {
        tx.set({ lease: body, observed: { record: call.record!, at: now } });
        attemptEnded(tx, true, call.attemptAt);
      } else attemptEnded(tx, false, call.attemptAt);
      break;
    case 'get': {
      if (failure) {
        if (!isNotFound(failure)) {
          attemptEnded(tx, false, call.attemptAt);
          break;
        }
        const c = state.config;
        const record: LeaderElectionRecord = {
          holderIdentity: c.identity, leaseDurationSeconds: Math.floor(c.leaseDurationMs / 1000),
          renewTime: microTime(call.attemptAt), acquireTime: microTime(call.attemptAt), leaderTransitions: 0,
        };
        const lease: Lease = { apiVersion: 'coordination.k8s.io/v1', kind: 'Lease', metadata: { name: c.name, namespace: c.namespace }, spec: leaseSpecFromRecord(record) };
        tx.send('create', createRequest(LEASES, lease, { namespace: c.namespace, ...(c.user ? { user: c.user } : {}) }), call.attemptAt, record);
        break;
      }
      // 3. Record obtained: note when it changed, and back off if someone else holds a valid lease.
      const old = recordFromLease(body);
      const raw = rawRecord(old);
      tx.set({ lease: body });
      if (raw !== state.observedRaw) tx.set({ observed: { record: old, at: now }, observedRaw: raw });
      if (old.holderIdentity !== '' && isLeaseValid(tx.state, call.attemptAt) && !isLeader(tx.state)) {
        attemptEnded(tx, false, call.attemptAt);
        break;
      }
      // 4. Take it (or keep it): a new holder counts one more transition.
      const c = state.config;
      const mine: LeaderElectionRecord = isLeader(tx.state)
        ? {
          holderIdentity: c.identity, leaseDurationSeconds: Math.floor(c.leaseDurationMs / 1000), renewTime: microTime(call.attemptAt),
          ...(old.acquireTime ? { acquireTime: old.acquireTime } : {}), leaderTransitions: old.leaderTransitions,
        }
        : {
          holderIdentity: c.identity, leaseDurationSeconds: Math.floor(c.leaseDurationMs / 1000), renewTime: microTime(call.attemptAt),
          acquireTime: microTime(call.attemptAt), leaderTransitions: old.leaderTransitions + 1,
        };
      update(tx, 'update', mine, call.attemptAt);
      break;
    }
  }
  return tx.done();
}

/** Graceful shutdown (the context is cancelled): stop, releasing the Lease when configured to. */
export function electorStop(state: ElectorState, now: number): ElectorStep {
  const tx = new Tx(state, now);
  if (state.phase === 'stopped') return tx.done();
  if (state.phase === 'leading') stopLeading(tx, 'context cancelled');
  else tx.set({ phase: 'stopped', call: undefined, nextTryAt: undefined });
  return tx.done();
}

// --- the component side: what kube-scheduler and kube-controller-manager wire around the elector ----

/** The --leader-elect* flags a component takes (defaults: on, 15 s / 10 s / 2 s). */
export interface LeaderElectionSettings {
  /** --leader-elect (default true): without it the component acts at once and writes no Lease. */
  readonly leaderElect?: boolean;
  readonly leaseDurationMs?: number;
  readonly renewDeadlineMs?: number;
  readonly retryPeriodMs?: number;
}

/** Who holds the lease, as the component acts under it (the fields of `obs.leader.act`). */
export interface LeaderTerm {
  readonly lease: string;
  readonly holder: string;
  readonly term: number;
}

/** The Event the Lease lock records (LeaseLock.RecordEvent): shaped as the recorders' EventSpec. */
export interface LeaderElectionEventSpec {
  readonly type: 'Normal';
  readonly reason: 'LeaderElection';
  readonly message: string;
  readonly involvedObject: { kind: 'Lease'; apiVersion: 'coordination.k8s.io/v1'; namespace: string; name: string };
  readonly component: string;
}

/** One elector step in the terms a component acts on. */
export interface LeadershipStep {
  readonly elector: ElectorState;
  readonly sends: Outgoing<ApiRequestMessage>[];
  readonly events: LeaderElectionEventSpec[];
  /** OnStartedLeading fired in this step, with the term. */
  readonly started?: LeaderTerm;
  /** OnStoppedLeading fired in this step (the reason client-go logs). */
  readonly stopped?: string;
}

/** A fresh elector for a component process: identity "<hostname>_<uuid>" from its generator. */
export function newComponentElector(
  settings: LeaderElectionSettings, lease: { namespace: string; name: string }, hostname: string, idPrefix: string,
  user: UserInfo | undefined, rng: RngState, now: number,
): ElectorState {
  const [identity, next] = leaderElectionIdentity(hostname, rng);
  return newElector({
    namespace: lease.namespace, name: lease.name, identity,
    ...(settings.leaseDurationMs !== undefined ? { leaseDurationMs: settings.leaseDurationMs } : {}),
    ...(settings.renewDeadlineMs !== undefined ? { renewDeadlineMs: settings.renewDeadlineMs } : {}),
    ...(settings.retryPeriodMs !== undefined ? { retryPeriodMs: settings.retryPeriodMs } : {}),
    ...(user ? { user } : {}),
    requestIdPrefix: `${idPrefix}/leader-election/`,
  }, next, now);
}

/** Turns an elector step into requests to `apiserver`, the Events to record as `component`, and what happened. */
export function leadershipStep(step: ElectorStep, apiserver: Address, component: string): LeadershipStep {
  const c = step.state.config;
  const events: LeaderElectionEventSpec[] = [];
  let started: LeaderTerm | undefined;
  let stopped: string | undefined;
  for (const e of step.events) {
    if (e.type === 'record-event') {
      events.push({
        type: 'Normal', reason: e.reason, message: e.message, component,
        involvedObject: { kind: 'Lease', apiVersion: 'coordination.k8s.io/v1', namespace: c.namespace, name: c.name },
      });
    } else if (e.type === 'started-leading') {
      started = { lease: `${c.namespace}/${c.name}`, holder: c.identity, term: e.term };
    } else if (e.type === 'stopped-leading') {
      stopped = e.reason;
    }
  }
  return {
    elector: step.state,
    sends: step.calls.map((call) => sendRequest(apiserver, call.requestId, call.request)),
    events,
    ...(started ? { started } : {}),
    ...(stopped !== undefined ? { stopped } : {}),
  };
}

/** The observation of one act as leader (see src/check/cluster-invariants/leader.ts). */
export function leaderAct(term: LeaderTerm, at: number): { type: 'obs.leader.act'; lease: string; holder: string; term: number; at: number } {
  return { type: 'obs.leader.act', lease: term.lease, holder: term.holder, term: term.term, at };
}
