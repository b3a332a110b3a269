// What a controller is to the manager: a module with the informers it needs, handlers that turn their
// deltas into work-queue keys, a sync that turns a key into a plan of API calls (jobs.ts), and the
// interpretation of those calls' answers. Its state is plain data in the manager's context: at least a
// work queue and the syncs in flight; the rest is the controller's own (expectations, node health, ...).
import type { Delta, KubeObject, WorkQueue } from '../../src/client/index.ts';
import type { ControllerName, ResolvedConfig } from './config.ts';
import type { EventSpec } from './events.ts';
import type { InformerName, Informers } from './informers.ts';
import type { CallResult, Finalizer, Job, JobPlan, PlannedCall, Step, StepLabel } from './jobs.ts';
import type { ApiFailure } from '../../src/client/index.ts';

export interface ControllerBase {
  readonly queue: WorkQueue;
  /** Syncs in flight, by key. */
  readonly jobs: Readonly<Record<string, Job>>;
}

/** What handlers and syncs may read: every shared cache, the clock and the configuration. */
export interface ControllerContext {
  readonly informers: Informers;
  readonly now: number;
  readonly config: ResolvedConfig;
}

export interface Handled<S> {
  readonly state: S;
  /** Events recorded at once (e.g. the taint eviction controller's cancellations). */
  readonly events?: readonly EventSpec[];
}

export interface Synced<S> {
  readonly state: S;
  /** Undefined or empty: the sync is over at once. */
  readonly plan?: JobPlan;
  readonly events?: readonly EventSpec[];
}

export interface Interpreted<S> {
  readonly state: S;
  readonly events?: readonly EventSpec[];
  /** Requeue the key this long after the sync ends well (overrides the plan's). */
  readonly requeueAfterMs?: number;
}

export interface ControllerModule<S extends ControllerBase> {
  readonly name: ControllerName;
  /** The shared informers its handlers and syncs use. */
  readonly informers: readonly InformerName[];
  /** After this many failed syncs in a row a key is dropped (upstream's maxRetries); none if undefined. */
  readonly maxRetries?: number;
  create(config: ResolvedConfig, now: number): S;
  /** Once every informer has synced, before the workers start (e.g. queue what the caches hold). */
  onCachesSynced?(state: S, ctx: ControllerContext): S;
  onDelta(state: S, informer: InformerName, delta: Delta<KubeObject>, ctx: ControllerContext): Handled<S>;
  sync(state: S, key: string, ctx: ControllerContext): Synced<S>;
  onCallResult?(state: S, result: CallResult, ctx: ControllerContext): Interpreted<S>;
  /** A planned call a failure cut off (never sent). */
  onCallSkipped?(state: S, call: PlannedCall): S;
  /** Work once the steps are over (or cut short): a last step to send (its calls may chain more), and a requeue. */
  finalize?(state: S, finalizer: Finalizer, failure: { error: ApiFailure; step: StepLabel } | undefined, ctx: ControllerContext): { state?: S; step?: Step; requeueAfterMs?: number };
}

export type AnyControllerModule = ControllerModule<ControllerBase>;

/** Registers a module with its own state type in the manager's table of modules over the base state. */
export function defineController<S extends ControllerBase>(module: ControllerModule<S>): AnyControllerModule {
  return module as unknown as AnyControllerModule;
}
