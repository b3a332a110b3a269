// The sequential specification of an etcd-style KV store, as a pure Porcupine-style model.
//
// A state is the set of stores the linearization so far may have led to — usually one. It only
// grows when a compare-and-swap whose response was lost meets a compare that cannot be decided
// (a field unknown): both outcomes are kept, as Porcupine does for nondeterministic models. Stores
// dominated by another one are dropped (they accept nothing more), and past MAX_ALTERNATIVES the
// set is joined into one store that dominates them all: still sound, only less precise — but a
// join makes steps on different keys no longer commute exactly, which the search's R6 assumes,
// so the cap is set far above what real histories reach (each observation prunes alternatives).
// The semantics of one store, including how revisions stay sound under per-key partitioning, are
// in store-semantics.ts.
import { describeKvOperation } from './describe.ts';
import type { KvInput, KvOutput } from './history.ts';
import { isRead, touchDisjointKeys } from './history.ts';
import { combine } from './hash.ts';
import type { Model } from './search-types.ts';
import type { SearchOptions } from './search.ts';
import type { KvModelOptions, StoreState } from './store-semantics.ts';
import { equalStores, hashStore, storeSemantics } from './store-semantics.ts';

export type { KeyState, KvModelOptions, StoreState } from './store-semantics.ts';
export { describeKvOperation } from './describe.ts';

export interface KvState {
  /** Every store consistent with the operations linearized so far; never empty. */
  readonly stores: readonly StoreState[];
}

export interface KvModel extends Model<KvState, KvInput, KvOutput> {
  /** A store about which nothing is known: used to check a window cut out of a longer history. */
  initOpenWorld(): KvState;
}

const MAX_ALTERNATIVES = 64;

/**
 * What the search may assume about KV operations: reads only refine the state (and are tried
 * first: a read needing a concurrent write fails at once, a write placed too early fails late),
 * and operations on different keys commute (a lost write has no response, so it leaves the
 * shared revision bound alone).
 */
export const KV_SEARCH_OPTIONS: SearchOptions<KvInput, KvOutput> = {
  tryFirst: (op) => isRead(op.input),
  readOnly: (op) => isRead(op.input),
  commute: touchDisjointKeys,
};

/** Track only what the given operations can observe: smaller states memoize better. */
export function modelOptionsFor(
  ops: Iterable<{ input: KvInput; output?: KvOutput | undefined; ret?: number }>,
): KvModelOptions {
  let trackVersions = false;
  let trackRevisions = false;
  const approximateVersions = new Set<string>();
  for (const { input, output, ret } of ops) {
    if (ret === Number.POSITIVE_INFINITY && (input.op === 'put' || input.op === 'cas')) approximateVersions.add(input.key);
    if (input.op === 'cas') {
      trackVersions ||= input.expectVersion !== undefined;
      trackRevisions ||= input.expectModRevision !== undefined;
    }
    if (output?.ok) {
      trackVersions ||= output.version !== undefined || (output.kvs?.some((kv) => kv.version !== undefined) ?? false);
      trackRevisions ||=
        output.revision !== undefined ||
        output.modRevision !== undefined ||
        (output.kvs?.some((kv) => kv.modRevision !== undefined) ?? false);
    }
  }
  return { trackVersions, trackRevisions, approximateVersions };
}

export function kvModel(options: KvModelOptions = { trackVersions: true, trackRevisions: true }): KvModel {
  const semantics = storeSemantics(options);

  /** Add `store` unless one already there dominates it; drop those it dominates. */
  function addAlternative(stores: StoreState[], store: StoreState): void {
    if (stores.some((s) => semantics.dominates(s, store))) return;
    for (let i = stores.length - 1; i >= 0; i--) if (semantics.dominates(store, stores[i])) stores.splice(i, 1);
    stores.push(store);
  }

  function step(state: KvState, input: KvInput, output: KvOutput | undefined): [boolean, KvState] {
    if (state.stores.length === 1) {
      const successors = semantics.step(state.stores[0], input, output);
      if (successors.length === 0) return [false, state];
      if (successors.length === 1) return [true, successors[0] === state.stores[0] ? state : { stores: successors }];
    }
    const next: StoreState[] = [];
    for (const store of state.stores) for (const successor of semantics.step(store, input, output)) addAlternative(next, successor);
    if (next.length === 0) return [false, state];
    return [true, { stores: next.length > MAX_ALTERNATIVES ? [semantics.join(next)] : next }];
  }

  return {
    init: () => ({ stores: [semantics.emptyStore()] }),
    initOpenWorld: () => ({ stores: [semantics.unknownStore()] }),
    step,
    hash: hashKvState,
    equal: equalKvState,
    dominates: (a, b) => a === b || b.stores.every((y) => a.stores.some((x) => semantics.dominates(x, y))),
    describe: describeKvOperation,
  };
}

export function hashKvState(state: KvState): number {
  let sum = 0;
  for (const store of state.stores) sum = (sum + hashStore(store)) | 0;
  return combine(state.stores.length, sum);
}

export function equalKvState(a: KvState, b: KvState): boolean {
  if (a === b) return true;
  if (a.stores.length !== b.stores.length) return false;
  return a.stores.every((x) => b.stores.some((y) => equalStores(x, y)));
}
