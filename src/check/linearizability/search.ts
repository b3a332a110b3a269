// Wing–Gong–Lowe linearizability search with Lowe's memoization, in Porcupine's iterative form.
//
// Operations with a finite return time are "listed" (entry-list.ts). The candidates for the next
// linearization point are the listed calls before the first return entry, the "barrier".
// Operations that may take effect at any time after their call, or never (ret = Infinity: writes
// whose response was lost), sit in a "pool" sorted by call time. They are candidates once called
// before the barrier, are tried only after every listed candidate failed, and need not be
// linearized at all for the search to succeed (placing them last is unobservable).
//
// A configuration is (listed ops linearized M, pool ops linearized Q, model state s). A candidate
// configuration is not visited when
//   R1  a visited one has the same M, a subset of Q and a state that dominates s (Lowe's memo,
//       generalised: the visited one has every completion the candidate has);
//   R2  it lifts a pool op whose step changes nothing (same as leaving the op for later, or never);
//   R3  it lifts a pool op Z right after a pool op P, and Z alone, from the state before P, gives
//       a dominating state (the pair is covered by Z alone, which keeps P available);
//   R4  it lifts a pool op while an identical, earlier-called one is unused (swap their roles:
//       barriers only grow, so the later-called twin can take the other's place afterwards);
//   R5  its parent has a read-only listed candidate (its step can only refine the state) that
//       leaves the state unchanged: a forced move, the only child tried. Any completion can take
//       it first (it is a candidate, so nothing must precede it; here it changes nothing, and
//       where it stood it could only refine the state, which the rest accepts all the more);
//   R6  it lifts a pool op that commutes with every listed candidate (e.g. a lost write on
//       another key): in a completion, the first listed op can move ahead of the pool ops that
//       commute with it, so a shortest completion starts with an op that is tried.
// Completeness: suppose the search fails although a completion exists, and take a visited
// configuration X with a shortest completion Zσ whose first op X tried (R5, R6 and R4 say one
// exists). X+Z (completion σ) was not visited, so a rule skipped it: R1 names a visited
// configuration completed by σ; R2 makes σ a shorter completion of X itself; R3 makes σ complete
// Z-alone from X's parent, which the parent also tried — recursing up the chain of pool frames
// until R1 or R2 applies. Each case contradicts minimality. R2–R4 keep chains of lost writes
// overwriting each other from making the search exponential in their number; R5 and R6 keep
// reads and unrelated lost writes from multiplying the configurations a failed search must
// exhaust.
import type { Model, SearchBudget, SearchOp, SearchOutcome } from './search-types.ts';
import type { BitsSnapshot } from './bitset.ts';
import { TrackedBitset } from './bitset.ts';
import { EntryList, NIL, isCallEntry, opOfEntry } from './entry-list.ts';
import { mix32 } from './hash.ts';

const STOP_POLL_INTERVAL = 4096;
/** Memo comparisons charged as one step (2^3 = 8): about what one model step costs. */
const COMPARISONS_PER_STEP_LOG2 = 3;

/** Visited configurations with the same listed set (R1 compares only within such a group). */
interface CacheGroup<S> {
  readonly main: BitsSnapshot;
  readonly entries: { readonly pool: BitsSnapshot; readonly state: S }[];
}

export interface SearchOptions<I, O> {
  /** Record, for every op, the longest partial linearization containing it (costly: use on small histories). */
  trackPartial?: boolean;
  /**
   * Candidates for which this returns true are tried before the others. Trying reads before
   * writes avoids most dead ends: a read that needs a concurrent write first fails in one step,
   * while a write linearized too early is only found out later.
   */
  tryFirst?: (op: SearchOp<I, O>) => boolean;
  /**
   * True when an op with unbounded return (no output) and a listed op act on disjoint parts of the
   * state, so the order of their steps never matters. Enables R6. Default: never.
   */
  commute?: (pooled: SearchOp<I, O>, listed: SearchOp<I, O>) => boolean;
  /**
   * True for ops whose step can only refine the state (the result is dominated by the input
   * state), like reads. Enables R5. Default: none.
   */
  readOnly?: (op: SearchOp<I, O>) => boolean;
}

const LIFTED = 1;
const REJECTED = 0;
const EXHAUSTED = -1;
/** The configuration being extended has no completion (a forced move led to a covered one). */
const DEAD_END = 2;

/** Search once, within `budget`. */
export function searchLinearization<S, I, O>(
  model: Model<S, I, O>,
  ops: readonly SearchOp<I, O>[],
  initial: S,
  budget: SearchBudget,
  options: SearchOptions<I, O> = {},
): SearchOutcome {
  return createSearch(model, ops, initial, options).run(budget);
}

export interface ResumableSearch {
  /** Search within `budget`; after an `exhausted` outcome, calling again continues where it stopped. */
  run(budget: SearchBudget): SearchOutcome;
}

export function createSearch<S, I, O>(
  model: Model<S, I, O>,
  ops: readonly SearchOp<I, O>[],
  initial: S,
  options: SearchOptions<I, O> = {},
): ResumableSearch {
  let budget: SearchBudget = { remaining: 0, used: 0 };
  const main: number[] = [];
  const pool: number[] = [];
  ops.forEach((op, i) => (op.ret === Number.POSITIVE_INFINITY ? pool : main).push(i));
  pool.sort((a, b) => ops[a].call - ops[b].call || a - b);
  const poolCall = pool.map((i) => ops[i].call);
  // Identical pool ops are interchangeable: only the earliest unused one of a kind is ever tried
  // (a later twin, called later, can stand in for it wherever it would be used).
  const poolTwinBefore = twinIndices(pool.map((i) => ops[i]));

  const m = main.length;
  const list = new EntryList(
    main.map((i) => ops[i].call),
    main.map((i) => ops[i].ret),
  );

  // Zobrist hashing keeps the hash of the listed-linearized set current in O(1) per lift.
  const zobrist = Int32Array.from({ length: m }, (_, k) => mix32(Math.imul(k + 1, 0x9e3779b9)));
  const mainBits = new TrackedBitset(m, zobrist);
  const poolBits = new TrackedBitset(pool.length);
  // Keyed by the hash of the listed set only, so that dominated states land in the same group.
  const cache = new Map<number, CacheGroup<S>[]>();

  // The search stack: a frame per linearized op. Main frames hold the call entry (≥ 0), pool frames -(index + 1).
  const frameOf: number[] = [];
  const frameState: S[] = [];
  /** Where to resume the parent's scan. Pool frames: the barrier time. Main frames: 1 if lifted in the first pass. */
  const frameResume: number[] = [];
  /** Whether the frame's op was a forced move (see R5): its parent then needs no other candidate. */
  const frameForced: boolean[] = [];
  const opOfFrame = (f: number) => (f >= 0 ? main[opOfEntry(f)] : pool[-f - 1]);

  const longest: (number[] | undefined)[] = options.trackPartial ? new Array(ops.length) : [];
  const recordPartial = () => {
    const depth = frameOf.length;
    let sequence: number[] | undefined;
    for (const f of frameOf) {
      const op = opOfFrame(f);
      if ((longest[op]?.length ?? 0) < depth) longest[op] = sequence ??= frameOf.map(opOfFrame);
    }
  };

  let state = initial;
  const dominates = model.dominates ?? model.equal;

  // R1: a configuration is covered by a visited one with the same listed set, a subset of the
  // pool and a dominating state: every completion of the former completes the latter.
  // Scanning a group costs like model steps (groups grow with the pool's subsets), so it is charged
  // to the budget: `maxSteps` then bounds the work, not only the model steps.
  const covered = (group: CacheGroup<S> | undefined, candidate: S) => {
    if (group === undefined) return false;
    const entries = group.entries;
    let i = 0;
    while (i < entries.length && !(poolBits.includes(entries[i].pool) && dominates(entries[i].state, candidate))) i++;
    const charge = i >>> COMPARISONS_PER_STEP_LOG2;
    budget.used += charge;
    budget.remaining -= charge;
    return i < entries.length;
  };

  /** Try to linearize `ops[opIndex]` next; `frame` identifies it on the stack. */
  const tryLift = (opIndex: number, frame: number, resume: number): number => {
    budget.used++;
    if (--budget.remaining < 0) return EXHAUSTED;
    if (budget.shouldStop && budget.used % STOP_POLL_INTERVAL === 0 && budget.shouldStop()) return EXHAUSTED;
    const op = ops[opIndex];
    const [ok, nextState] = model.step(state, op.input, op.output);
    if (!ok) return REJECTED;
    const unchanged = model.equal(nextState, state);
    if (frame < 0 && unchanged) return REJECTED;
    const forced = frame >= 0 && unchanged && readOnly[opOfEntry(frame)];
    const bits = frame >= 0 ? mainBits : poolBits;
    const bit = frame >= 0 ? opOfEntry(frame) : -frame - 1;
    bits.add(bit);
    let groups = cache.get(mainBits.hash);
    let group = groups?.find((g) => mainBits.equals(g.main));
    if (covered(group, nextState) || (frame < 0 && coveredByTopAlone(op, nextState))) {
      bits.delete(bit);
      return forced ? DEAD_END : REJECTED;
    }
    if (!groups) cache.set(mainBits.hash, (groups = []));
    if (!group) groups.push((group = { main: mainBits.snapshot(), entries: [] }));
    group.entries.push({ pool: poolBits.snapshot(), state: nextState });
    frameOf.push(frame);
    frameState.push(state);
    frameResume.push(resume);
    frameForced.push(forced);
    state = nextState;
    if (frame >= 0) list.lift(frame);
    if (options.trackPartial) recordPartial();
    return LIFTED;
  };

  /** R3: is lifting pool op `op` on top of another pool op covered by lifting `op` alone instead? */
  const coveredByTopAlone = (op: SearchOp<I, O>, nextState: S): boolean => {
    const top = frameOf.length - 1;
    if (top < 0 || frameOf[top] >= 0) return false;
    budget.used++;
    budget.remaining--;
    const [ok, alone] = model.step(frameState[top], op.input, op.output);
    return ok && dominates(alone, nextState);
  };

  // R6: pool ops worth trying under the current barrier: those that do not commute with some
  // listed candidate. Recomputed when a barrier is reached or a pool frame is resumed.
  const commute = options.commute;
  let relevant: boolean[] = [];
  const computeRelevantPool = () => {
    if (!commute) return;
    const candidates: SearchOp<I, O>[] = [];
    for (let e = list.first(); e !== NIL && isCallEntry(e); e = list.next[e]) candidates.push(ops[main[opOfEntry(e)]]);
    relevant = pool.map((p) => candidates.some((c) => !commute(ops[p], c)));
  };

  const readOnly = main.map((i) => options.readOnly?.(ops[i]) ?? false);
  const tryFirst = options.tryFirst;
  const preferred = main.map((i) => (tryFirst ? tryFirst(ops[i]) : true));
  const twoPasses = preferred.some((p) => !p);

  let entry = list.first();
  let firstPass = true; // listed candidates are scanned twice: preferred ones, then the others
  let poolCursor = -1; // ≥ 0 while scanning the pool for the configuration on top of the stack
  let barrier = 0; // time of the first return entry: pool ops called after it are not yet candidates
  let deadEnd = false; // the configuration on top of the stack is known to have no completion
  // The latest barrier of any configuration reached: every response before it was linearized.
  let frontier = Number.NEGATIVE_INFINITY;
  const run = (allowance: SearchBudget): SearchOutcome => {
    budget = allowance;
    for (;;) {
      if (!deadEnd) {
        if (list.first() === NIL) return { kind: 'linearizable', order: frameOf.map(opOfFrame) };
        if (poolCursor < 0) {
          if (isCallEntry(entry)) {
            if (preferred[opOfEntry(entry)] === firstPass) {
              const outcome = tryLift(main[opOfEntry(entry)], entry, firstPass ? 1 : 0);
              if (outcome === EXHAUSTED) return { kind: 'exhausted', frontier };
              if (outcome === LIFTED) {
                entry = list.first();
                firstPass = true;
                continue;
              }
              if (outcome === DEAD_END) {
                deadEnd = true;
                continue;
              }
            }
            entry = list.next[entry];
            continue;
          }
          if (firstPass && twoPasses) {
            firstPass = false;
            entry = list.first();
            continue;
          }
          barrier = list.time(entry);
          if (barrier > frontier) frontier = barrier;
          poolCursor = 0;
          computeRelevantPool();
        }
        let outcome = REJECTED;
        while (poolCursor < pool.length && poolCall[poolCursor] <= barrier) {
          const twin = poolTwinBefore[poolCursor];
          if (!poolBits.has(poolCursor) && (twin < 0 || poolBits.has(twin)) && (!commute || relevant[poolCursor])) {
            outcome = tryLift(pool[poolCursor], -poolCursor - 1, barrier);
            if (outcome !== REJECTED) break;
          }
          poolCursor++;
        }
        if (outcome === EXHAUSTED) return { kind: 'exhausted', frontier };
        if (outcome === LIFTED) {
          poolCursor = -1;
          entry = list.first();
          firstPass = true;
          continue;
        }
      }
      // Every candidate failed, or none needs trying: backtrack.
      deadEnd = false;
      const frame = frameOf.pop();
      if (frame === undefined) return { kind: 'illegal', longest: distinctLongestFirst(longest), frontier };
      state = frameState.pop()!;
      if (frameForced.pop()) deadEnd = true;
      const resume = frameResume.pop()!;
      if (frame >= 0) {
        mainBits.delete(opOfEntry(frame));
        list.unlift(frame);
        entry = list.next[frame];
        firstPass = resume === 1;
        poolCursor = -1;
      } else {
        const bit = -frame - 1;
        poolBits.delete(bit);
        poolCursor = bit + 1;
        barrier = resume;
        computeRelevantPool();
      }
    }
  };
  return { run };
}

/** For each op, the index of the closest earlier op with the same input and output, or -1. */
function twinIndices(ops: readonly SearchOp<unknown, unknown>[]): Int32Array {
  const last = new Map<string, number>();
  return Int32Array.from(ops, (op, i) => {
    const kind = JSON.stringify([op.input, op.output]);
    const before = last.get(kind) ?? -1;
    last.set(kind, i);
    return before;
  });
}

function distinctLongestFirst(longest: (number[] | undefined)[]): number[][] {
  const distinct = [...new Set(longest.filter((s): s is number[] => s !== undefined))];
  return distinct.sort((a, b) => b.length - a.length);
}
