// The scheduler's state (the machine's context minus host plumbing) and the scratchpad one step of it
// writes into. Unlike the controller-manager's, this state is mutated in place: the queue, the cache and
// the call table are indexed structures that would cost O(pods) to copy on every pod (see README.md).
import type { Pod } from 'kubernetes-types/core/v1.js';
import type { Address } from '../../src/bus/envelope.ts';
import type { HostedEmitted } from '../../src/host/contract.ts';
import { newConnectionHealth, newInformer, storeGet, type ConnectionHealth, type ElectorState, type LeaderTerm, type Outgoing } from '../../src/client/index.ts';
import type { QueuedPodInfo } from '../../src/scheduler/index.ts';
import { rngNext, type RngState } from '../../src/sim/random.ts';
import type { EventSpec } from '../controller-manager/events.ts';
import { newEventRecorder, recordEvent, type EventRecorder } from './event-recorder.ts';
import { SchedulerCache } from './cache.ts';
import { resolveConfig, type ResolvedConfig, type SchedulerConfig } from './config.ts';
import { INFORMER_SPECS, type Informers } from './informers.ts';
import { SchedulingQueue } from './scheduling-queue.ts';

/** A binding in flight: the assumed pod waits in the cache until the answer (or the deadline). */
export interface BindCall {
  readonly podInfo: QueuedPodInfo;
  /** The pod as assumed: spec.nodeName set to `node`. */
  readonly assumed: Pod;
  readonly node: string;
  readonly deadline: number;
}

export interface SchedulerStats {
  /** Scheduling cycles run (pods popped and tried). */
  attempts: number;
  /** Bindings the apiserver accepted. */
  bound: number;
  /** Scheduling cycles that found no node (FitError or no nodes at all). */
  unschedulable: number;
  /** Bindings that failed (409 included) or timed out. */
  bindFailures: number;
}

export interface SchedulerState {
  readonly self: Address;
  /** Request-id prefix, unique per incarnation so answers to a previous life are never mistaken. */
  readonly idPrefix: string;
  readonly config: ResolvedConfig;
  informers: Informers;
  /** The HTTP/2 connection to the apiserver every client of the process shares, and its health pings. */
  connections: ConnectionHealth;
  readonly queue: SchedulingQueue;
  readonly cache: SchedulerCache;
  readonly recorder: EventRecorder;
  rng: RngState;
  /** Where the next cycle's node scan starts (Scheduler.nextStartNodeIndex). */
  nextStartNodeIndex: number;
  seq: number;
  /** Bindings in flight by request id, in send order (so the first one has the earliest deadline). */
  readonly binds: Map<string, BindCall>;
  /** Services or ReplicaSets changed since the snapshot's workloads were taken. */
  workloadsChanged: boolean;
  /** Caches synced: scheduling cycles run. */
  scheduling: boolean;
  /** The queue's flush loops tick on a grid from here (1 s backoff, 30 s unschedulable leftovers). */
  readonly startedAt: number;
  lastLeftoverFlushAt: number;
  readonly stats: SchedulerStats;
  /** How many times this host's process started over after losing its lease (0: the first life). */
  readonly life: number;
  /** The leader elector (with --leader-elect, once the caches synced). */
  elector?: ElectorState;
  /** The term this process leads in; cycles run only while it is set (or without --leader-elect). */
  leader?: LeaderTerm;
  /** OnStoppedLeading fired: the process exits (the machine leaves for `exited`). */
  lostLease: boolean;
}

export function newSchedulerState(self: Address, incarnation: number, config: SchedulerConfig, rng: RngState, now: number, life = 0): SchedulerState {
  const resolved = resolveConfig(config);
  // A process restarted after losing its lease is a new process: its request ids must not collide.
  const idPrefix = life === 0 ? `${self}#${incarnation}` : `${self}#${incarnation}.${life}`;
  // The state is mutated in place and keeps no earlier informer state: the stores may be too (O(1) per event).
  const options = { ...resolved.informer, apiserver: resolved.apiserver, idPrefix, ownsStore: true };
  const informers: Informers = {
    pods: newInformer(INFORMER_SPECS.pods, options),
    nodes: newInformer(INFORMER_SPECS.nodes, options),
    namespaces: newInformer(INFORMER_SPECS.namespaces, options),
    services: newInformer(INFORMER_SPECS.services, options),
    replicasets: newInformer(INFORMER_SPECS.replicasets, options),
  };
  const state: SchedulerState = {
    self,
    idPrefix,
    config: resolved,
    informers,
    connections: newConnectionHealth(idPrefix, [resolved.apiserver], now),
    queue: new SchedulingQueue(resolved.queue),
    // The namespace lister reads the informer the state holds at the time of the lookup.
    cache: new SchedulerCache((ns) => storeGet(state.informers.namespaces.store, ns)?.metadata?.labels ?? undefined),
    recorder: newEventRecorder(),
    rng,
    nextStartNodeIndex: 0,
    seq: 0,
    binds: new Map(),
    workloadsChanged: true,
    scheduling: false,
    startedAt: now,
    lastLeftoverFlushAt: now,
    stats: { attempts: 0, bound: 0, unschedulable: 0, bindFailures: 0 },
    life,
    lostLease: false,
  };
  return state;
}

/** What one step of the scheduler emits, in order. */
export class Step {
  readonly emits: HostedEmitted[] = [];
  constructor(readonly state: SchedulerState, readonly now: number) {}

  send(outgoing: readonly Outgoing<{ type: string }>[]): void {
    for (const o of outgoing) this.emits.push({ type: 'net.send', to: o.to, message: { ...o.message } });
  }

  nextId(kind: string): string {
    this.state.seq++;
    return `${this.state.idPrefix}/${kind}/${this.state.seq}`;
  }

  /** A [0, 1) draw from the scheduler's own generator (score ties). */
  readonly rand = (): number => {
    const [u, next] = rngNext(this.state.rng);
    this.state.rng = next;
    return u;
  };

  record(spec: EventSpec): void {
    const { config, recorder, idPrefix } = this.state;
    this.send([recordEvent(recorder, spec, this.now, { apiserver: config.apiserver, idPrefix, user: config.user })]);
  }

  observe(observation: HostedEmitted & { type: `obs.${string}` }): void {
    this.emits.push(observation);
  }
}
