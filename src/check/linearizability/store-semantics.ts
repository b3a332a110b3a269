// The sequential semantics of one possible etcd-style store, with unknown fields.
//
// Revisions. etcd's mod_revision is a global counter: every put, delete of an existing key and
// successful txn bumps it by one. Per-key partitioning is only sound if a partition's model never
// needs the *exact* global counter, so a store tracks a lower bound instead: `revision` is the
// largest revision the partition's linearization has seen so far. Within a partition it checks
//   - a write's response revision is strictly greater than the bound (it creates a new revision),
//   - a read's response revision is at least the bound and at least every known mod_revision,
//   - a key's mod_revision equals the revision of the write that produced it,
// which are all consequences of global linearizability, hence sound for any partition. Gaps are
// allowed because writers outside the recorded history (or in other partitions) also bump the
// counter. Cross-partition facts — revisions are unique and follow real time — are checked by a
// separate global pass (revision-order.ts).
//
// Unknowns. Every field of a key may be unknown (`undefined`): after a write whose response was
// lost, or everywhere in an "open world" store (used when checking a window of the history that
// starts from an arbitrary state). Observations refine unknowns ("adopt what the read saw"); an
// unknown never causes a rejection. Each step thus over-approximates the set of concrete stores,
// which keeps every rejection a real violation.
import type { KvInput, KvOutput } from './history.ts';
import { combine, hashNumber, hashString } from './hash.ts';

/** What is known about one key; `undefined` means unknown. Absent keys have value null, version 0, mod_revision 0. */
export interface KeyState {
  readonly value: string | null | undefined;
  readonly version: number | undefined;
  readonly modRevision: number | undefined;
  /** When the version is unknown: a lower bound on it. */
  readonly minVersion?: number;
}

export interface StoreState {
  /** Lower bound of the global revision at this point of the linearization. */
  readonly revision: number;
  readonly keys: ReadonlyMap<string, KeyState>;
  /** false: keys missing from `keys` are absent (a fresh store). true: they are unknown (an arbitrary store). */
  readonly openWorld: boolean;
}

export interface KvModelOptions {
  /** Model per-key versions (needed only when some op observes or compares them). */
  trackVersions: boolean;
  /** Model mod_revisions and the global revision bound (needed only when some op observes or compares them). */
  trackRevisions: boolean;
  /**
   * Keys whose versions are counted only as lower bounds: a write raises the version to at least
   * one more than before. Used for keys with writes of unknown outcome: any of them may have taken
   * effect unobserved (overwritten before anyone read it) and bumped the version, and counting
   * exactly would make the search place every such write explicitly — exponential in their number.
   */
  approximateVersions?: ReadonlySet<string>;
}

export interface StoreSemantics {
  emptyStore(): StoreState;
  /** A store about which nothing is known. */
  unknownStore(): StoreState;
  /** Every store `input` with response `output` (undefined: unknown) may lead to; none if it is rejected. */
  step(s: StoreState, input: KvInput, output: KvOutput | undefined): StoreState[];
  /** Is `a` at most as constrained as `b`, so that it accepts every continuation `b` accepts? */
  dominates(a: StoreState, b: StoreState): boolean;
  /** One store dominating all the given ones (same world). */
  join(stores: readonly StoreState[]): StoreState;
}

const UNKNOWN_KEY: KeyState = { value: undefined, version: undefined, modRevision: undefined };
const REJECTED: StoreState[] = [];

type Cas = Extract<KvInput, { op: 'cas' }>;

export function storeSemantics(options: KvModelOptions): StoreSemantics {
  const { trackVersions, trackRevisions } = options;
  const approximateVersions = options.approximateVersions ?? new Set<string>();
  const ABSENT: KeyState = {
    value: null,
    version: trackVersions ? 0 : undefined,
    modRevision: trackRevisions ? 0 : undefined,
  };

  const lookup = (s: StoreState, key: string): KeyState => s.keys.get(key) ?? (s.openWorld ? UNKNOWN_KEY : ABSENT);

  function observeValue(ks: KeyState, value: string | null): KeyState | null {
    if (ks.value !== undefined) return ks.value === value ? ks : null;
    if (value === null) return ks.version || ks.modRevision || ks.minVersion ? null : ABSENT;
    return ks.version === 0 || ks.modRevision === 0 ? null : { ...ks, value };
  }

  function observeVersion(ks: KeyState, version: number): KeyState | null {
    if (!trackVersions) return ks;
    if (ks.version !== undefined) return ks.version === version ? ks : null;
    if (version === 0) return observeValue(ks, null);
    if (ks.value === null || version < (ks.minVersion ?? 1)) return null;
    return { value: ks.value, version, modRevision: ks.modRevision };
  }

  function observeModRevision(ks: KeyState, modRevision: number): KeyState | null {
    if (!trackRevisions) return ks;
    if (ks.modRevision !== undefined) return ks.modRevision === modRevision ? ks : null;
    if (modRevision === 0) return observeValue(ks, null);
    return ks.value === null ? null : { ...ks, modRevision };
  }

  function observe(ks: KeyState, seen: { value?: string | null; version?: number; modRevision?: number }): KeyState | null {
    let next: KeyState | null = ks;
    if (seen.value !== undefined) next = observeValue(next, seen.value);
    if (next && seen.version !== undefined) next = observeVersion(next, seen.version);
    if (next && seen.modRevision !== undefined) next = observeModRevision(next, seen.modRevision);
    return next;
  }

  function written(key: string, ks: KeyState, value: string, revision: number | undefined): KeyState {
    const modRevision = trackRevisions ? revision : undefined;
    if (!trackVersions) return { value, version: undefined, modRevision };
    const before = ks.value === null ? 0 : ks.version;
    if (!approximateVersions.has(key) && before !== undefined) return { value, version: before + 1, modRevision };
    return { value, version: undefined, modRevision, minVersion: (before ?? ks.minVersion ?? 0) + 1 };
  }

  /** The revision bound after a response carrying `revision`; null if it contradicts the bound. */
  function advance(bound: number, revision: number | undefined, createsRevision: boolean | undefined): number | null {
    if (!trackRevisions || revision === undefined) return bound;
    if (createsRevision ? revision <= bound : revision < bound) return null;
    return revision;
  }

  const raise = (bound: number, modRevision: number | undefined): number =>
    trackRevisions && modRevision !== undefined && modRevision > bound ? modRevision : bound;

  function withKey(s: StoreState, key: string, ks: KeyState, revision: number): StoreState {
    if (revision === s.revision && lookup(s, key) === ks) return s;
    const keys = new Map(s.keys);
    if (!s.openWorld && ks.value === null) keys.delete(key);
    else keys.set(key, ks);
    return { revision, keys, openWorld: s.openWorld };
  }

  /** etcd compare semantics: value compares on a missing key fail; version/mod_revision compare against 0. */
  function compare(ks: KeyState, input: Cas): boolean | undefined {
    if (ks.version === undefined && input.expectVersion !== undefined && input.expectVersion < (ks.minVersion ?? 0)) return false;
    const value = compareField(ks.value, input.expectValue);
    const version = compareField(ks.version, input.expectVersion);
    const modRevision = compareField(ks.modRevision, input.expectModRevision);
    if (value === false || version === false || modRevision === false) return false;
    return value === undefined || version === undefined || modRevision === undefined ? undefined : true;
  }

  const assumeCompareHolds = (ks: KeyState, input: Cas) =>
    observe(ks, { value: input.expectValue, version: input.expectVersion, modRevision: input.expectModRevision });

  function stepCas(s: StoreState, input: Cas, output: KvOutput | undefined, revision: number | undefined): StoreState[] {
    const ks = lookup(s, input.key);
    const verdict = compare(ks, input);
    const claimed = output?.ok ? output.succeeded : undefined;
    if (claimed !== undefined && verdict !== undefined && verdict !== claimed) return REJECTED;
    const outcomes: StoreState[] = [];
    if (verdict !== false && claimed !== false) {
      // The compare held: what was compared is now known.
      const held = verdict === true ? ks : assumeCompareHolds(ks, input);
      // (No revision bound is raised from what the compare taught: an op without a response must
      // leave the bound alone, so that it commutes with operations on other keys.)
      const bound = advance(s.revision, revision, true);
      if (held && bound !== null) outcomes.push(withKey(s, input.key, written(input.key, held, input.value, revision), bound));
    }
    if (verdict !== true && claimed !== true) {
      const bound = advance(s.revision, revision, false);
      if (bound !== null) outcomes.push(bound === s.revision ? s : { ...s, revision: bound });
    }
    return outcomes;
  }

  function stepRange(s: StoreState, prefix: string, output: KvOutput, revision: number | undefined): StoreState[] {
    if (!output.ok) return [s];
    let bound = s.revision;
    let keys: Map<string, KeyState> | undefined;
    const seen = new Set<string>();
    const update = (key: string, before: KeyState, after: KeyState) => {
      if (before === after) return;
      keys ??= new Map(s.keys);
      if (!s.openWorld && after.value === null) keys.delete(key);
      else keys.set(key, after);
    };
    if (output.kvs) {
      for (const kv of output.kvs) {
        if (!kv.key.startsWith(prefix) || seen.has(kv.key)) return REJECTED;
        seen.add(kv.key);
        const before = lookup(s, kv.key);
        const after = observe(before, kv);
        if (!after) return REJECTED;
        bound = raise(bound, after.modRevision);
        update(kv.key, before, after);
      }
      // Every other key under the prefix was absent.
      for (const [key, before] of s.keys) {
        if (!key.startsWith(prefix) || seen.has(key)) continue;
        const after = observeValue(before, null);
        if (!after) return REJECTED;
        update(key, before, after);
      }
    }
    const advanced = advance(bound, revision, false);
    if (advanced === null) return REJECTED;
    if (!keys && advanced === s.revision) return [s];
    return [{ revision: advanced, keys: keys ?? s.keys, openWorld: s.openWorld }];
  }

  function step(s: StoreState, input: KvInput, output: KvOutput | undefined): StoreState[] {
    // A definite failure has no effect (the checker drops those before searching anyway).
    if (output && !output.ok) return [s];
    const revision = trackRevisions ? output?.revision : undefined;
    switch (input.op) {
      case 'get': {
        if (!output) return [s];
        const ks = observe(lookup(s, input.key), output);
        if (!ks) return REJECTED;
        const bound = advance(raise(s.revision, ks.modRevision), revision, false);
        return bound === null ? REJECTED : [withKey(s, input.key, ks, bound)];
      }
      case 'put': {
        const bound = advance(s.revision, revision, true);
        if (bound === null) return REJECTED;
        return [withKey(s, input.key, written(input.key, lookup(s, input.key), input.value, revision), bound)];
      }
      case 'delete': {
        const ks = lookup(s, input.key);
        const known = ks.value === undefined ? undefined : ks.value !== null;
        const reported = output?.deleted === undefined ? undefined : output.deleted > 0;
        if (known !== undefined && reported !== undefined && known !== reported) return REJECTED;
        const bound = advance(s.revision, revision, reported ?? known);
        return bound === null ? REJECTED : [withKey(s, input.key, ABSENT, bound)];
      }
      case 'cas':
        return stepCas(s, input, output, revision);
      case 'range':
        return output ? stepRange(s, input.prefix, output, revision) : [s];
    }
  }

  function dominates(a: StoreState, b: StoreState): boolean {
    if (a === b) return true;
    if (a.openWorld !== b.openWorld || a.revision > b.revision) return false;
    for (const key of a.keys.keys()) if (!dominatesKeyState(lookup(a, key), lookup(b, key))) return false;
    for (const key of b.keys.keys()) if (!a.keys.has(key) && !dominatesKeyState(lookup(a, key), lookup(b, key))) return false;
    return true;
  }

  function join(stores: readonly StoreState[]): StoreState {
    const [first, ...rest] = stores;
    const names = new Set(stores.flatMap((s) => [...s.keys.keys()]));
    const keys = new Map<string, KeyState>();
    for (const key of names) {
      const joined = rest.reduce((acc, s) => joinKeyStates(acc, lookup(s, key)), lookup(first, key));
      if (first.openWorld || joined.value !== null) keys.set(key, joined);
    }
    return { revision: Math.min(...stores.map((s) => s.revision)), keys, openWorld: first.openWorld };
  }

  return {
    emptyStore: () => ({ revision: 0, keys: new Map(), openWorld: false }),
    unknownStore: () => ({ revision: 0, keys: new Map(), openWorld: true }),
    step,
    dominates,
    join,
  };
}

/** One compare of a txn: true/false, or undefined when the field is unknown. No expectation holds trivially. */
function compareField(actual: string | number | null | undefined, expected: string | number | undefined): boolean | undefined {
  if (expected === undefined) return true;
  return actual === undefined ? undefined : actual === expected;
}

const lowerVersion = (ks: KeyState) => ks.version ?? ks.minVersion ?? 0;

/**
 * Is key state `a` at most as constrained as `b`: each field unknown, looser, or equal? Every
 * observation and write is monotone in this order (an unknown field adopts whatever a known one
 * accepts; a lower revision or version bound accepts whatever a higher one does).
 */
function dominatesKeyState(a: KeyState, b: KeyState): boolean {
  if (a === b) return true;
  if (a.value !== undefined && a.value !== b.value) return false;
  if (a.modRevision !== undefined && a.modRevision !== b.modRevision) return false;
  return a.version !== undefined ? a.version === b.version : (a.minVersion ?? 0) <= lowerVersion(b);
}

/** What two key states agree on; the rest becomes unknown. */
function joinKeyStates(a: KeyState, b: KeyState): KeyState {
  const value = a.value === b.value ? a.value : undefined;
  const modRevision = a.modRevision === b.modRevision ? a.modRevision : undefined;
  if (a.version !== undefined && a.version === b.version) return { value, version: a.version, modRevision };
  const lower = Math.min(lowerVersion(a), lowerVersion(b));
  return lower > 0 ? { value, version: undefined, modRevision, minVersion: lower } : { value, version: undefined, modRevision };
}

function hashKeyState(key: string, ks: KeyState): number {
  const value = ks.value === undefined ? 0x2545f491 : ks.value === null ? 0x6a09e667 : hashString(ks.value);
  const version = combine(hashNumber(ks.version), hashNumber(ks.minVersion));
  return combine(combine(combine(hashString(key), value), version), hashNumber(ks.modRevision));
}

export function hashStore(s: StoreState): number {
  // Order-independent sum over keys: equal maps hash equally whatever their insertion order.
  let sum = 0;
  for (const [key, ks] of s.keys) sum = (sum + hashKeyState(key, ks)) | 0;
  return combine(combine(hashNumber(s.revision), s.openWorld ? 1 : 2), sum);
}

export function equalStores(a: StoreState, b: StoreState): boolean {
  if (a === b) return true;
  if (a.revision !== b.revision || a.openWorld !== b.openWorld || a.keys.size !== b.keys.size) return false;
  for (const [key, x] of a.keys) {
    const y = b.keys.get(key);
    if (!y || x.value !== y.value || x.version !== y.version || x.modRevision !== y.modRevision || x.minVersion !== y.minVersion) return false;
  }
  return true;
}
