// Deterministic histories of concurrent clients against a KV store, for tests and benchmarks.
//
// Each operation gets a random latency; a correct store applies it at a random linearization
// point inside [call, return], in time order, to a sequential reference store — so the history is
// linearizable by construction. Faults: definite failures (not applied), lost responses (applied or
// not, possibly after the client gave up) and, as a planted bug, reads served by a lagging replica.
import type { KvInput, KvOkOutput, KvOpKind, Operation } from './history.ts';
import { EventQueue } from './event-queue.ts';
import { createRng } from './prng.ts';
import type { Rng } from './prng.ts';
import { ReferenceStore } from './reference-store.ts';

export interface KvSimulationConfig {
  seed: number;
  clients: number;
  /** Operations to invoke in total. */
  ops: number;
  /** Number of keys, named key0, key1, … */
  keys: number;
  /** Relative weights of operation kinds. Default: get 4, put 3, cas 2, delete 0.5, range 0.5. */
  mix?: Partial<Record<KvOpKind, number>>;
  /** Probability that a response is lost (the op may or may not be applied, possibly late). */
  unknownRate?: number;
  /** Probability of a definite failure (the op is not applied). */
  failRate?: number;
  latency?: [min: number, max: number];
  think?: [min: number, max: number];
  /** How long a client waits before giving up on a response. */
  timeout?: number;
  /** Which response fields to report. Default: all. */
  report?: { versions?: boolean; revisions?: boolean };
  /**
   * Planted bug: probability that a get is served by a lagging replica with a value that was
   * provably overwritten before the get was called.
   */
  staleReadRate?: number;
}

export interface KvSimulation {
  history: Operation[];
  /** How many stale reads the planted bug served and the client received. */
  staleReads: number;
}

const DEFAULT_MIX: Record<KvOpKind, number> = { get: 4, put: 3, cas: 2, delete: 0.5, range: 0.5 };
const APPLY = 0;
const RETURN = 1;
const CALL = 2;

interface Knowledge {
  value: string | null;
  version?: number;
  modRevision?: number;
}

interface Client {
  name: string;
  written: number;
  known: Map<string, Knowledge>;
}

interface Pending {
  op: Operation;
  client: Client;
  /** Scheduled return time; Infinity when the response will be lost. */
  ret: number;
  output?: KvOkOutput;
  /** Served by the planted lagging replica. */
  stale?: boolean;
}

interface LoggedWrite {
  value: string | null;
  version: number;
  modRevision: number;
  call: number;
  ret: number;
}

type SimEvent = { kind: 'call'; client: Client } | { kind: 'apply' | 'return'; pending: Pending };

export function simulateKvHistory(config: KvSimulationConfig): KvSimulation {
  const rng = createRng(config.seed);
  const keys = Array.from({ length: config.keys }, (_, i) => `key${i}`);
  const mix = Object.entries({ ...DEFAULT_MIX, ...config.mix }) as [KvOpKind, number][];
  const [minLatency, maxLatency] = config.latency ?? [1, 20];
  const [minThink, maxThink] = config.think ?? [0, 10];
  const timeout = config.timeout ?? 3 * maxLatency;
  const reportVersions = config.report?.versions ?? true;
  const reportRevisions = config.report?.revisions ?? true;

  const store = new ReferenceStore();
  const writeLog = new Map<string, LoggedWrite[]>();
  const history: Operation[] = [];
  const queue = new EventQueue<SimEvent>();
  let staleReads = 0;

  const clients: Client[] = Array.from({ length: config.clients }, (_, i) => ({ name: `c${i}`, written: 0, known: new Map() }));
  for (const client of clients) queue.push(rng.int(minThink, maxThink), CALL, { kind: 'call', client });

  const report = (output: KvOkOutput): KvOkOutput => {
    const out: KvOkOutput = { ...output };
    if (!reportVersions) delete out.version;
    if (!reportRevisions) {
      delete out.revision;
      delete out.modRevision;
    }
    if (out.kvs) {
      out.kvs = out.kvs.map((kv) => ({
        key: kv.key,
        value: kv.value,
        ...(reportVersions ? { version: kv.version } : {}),
        ...(reportRevisions ? { modRevision: kv.modRevision } : {}),
      }));
    }
    return out;
  };

  const serve = (pending: Pending): KvOkOutput => {
    const { input } = pending.op;
    if (input.op === 'get' && config.staleReadRate && rng.chance(config.staleReadRate)) {
      const stale = provablyStale(writeLog.get(input.key) ?? [], pending.op.call);
      if (stale) {
        pending.stale = true;
        return { ok: true, value: stale.value, version: stale.version, modRevision: stale.modRevision, revision: stale.modRevision };
      }
    }
    const output = store.apply(input);
    const isWrite = input.op === 'put' || input.op === 'cas' || input.op === 'delete';
    if (isWrite && (input.op === 'put' || output.succeeded || output.deleted)) {
      const kv = store.get(input.key);
      const log = writeLog.get(input.key) ?? [];
      log.push({ value: kv?.value ?? null, version: kv?.version ?? 0, modRevision: kv?.modRevision ?? store.revision, call: pending.op.call, ret: pending.ret });
      writeLog.set(input.key, log);
    }
    return output;
  };

  for (let event = queue.pop(); event; event = queue.pop()) {
    const { time, payload } = event;
    if (payload.kind === 'call') {
      if (history.length >= config.ops) continue;
      const client = payload.client;
      const op: Operation = { id: history.length, client: client.name, input: chooseInput(rng, mix, keys, client), call: time };
      history.push(op);
      const latency = rng.int(minLatency, maxLatency);
      const fate = rng.next();
      if (fate < (config.failRate ?? 0)) {
        op.return = time + latency;
        op.output = { ok: false, error: 'unavailable' };
        queue.push(op.return + rng.int(minThink, maxThink), CALL, { kind: 'call', client });
      } else if (fate < (config.failRate ?? 0) + (config.unknownRate ?? 0)) {
        const pending: Pending = { op, client, ret: Number.POSITIVE_INFINITY };
        if (rng.chance(0.5)) queue.push(time + rng.int(0, 3 * maxLatency), APPLY, { kind: 'apply', pending });
        queue.push(time + timeout + rng.int(minThink, maxThink), CALL, { kind: 'call', client });
      } else {
        const pending: Pending = { op, client, ret: time + latency };
        queue.push(time + rng.int(0, latency), APPLY, { kind: 'apply', pending });
        queue.push(pending.ret, RETURN, { kind: 'return', pending });
      }
    } else if (payload.kind === 'apply') {
      payload.pending.output = report(serve(payload.pending));
    } else {
      const { op, client, output, stale } = payload.pending;
      if (stale) staleReads++;
      op.return = time;
      op.output = output;
      learn(client, op.input, output!);
      queue.push(time + rng.int(minThink, maxThink), CALL, { kind: 'call', client });
    }
  }
  return { history, staleReads };
}

/** A value overwritten by a write that returned before `call`, itself written by a write that returned before the overwrite began. */
function provablyStale(log: readonly LoggedWrite[], call: number): LoggedWrite | undefined {
  for (let i = log.length - 1; i >= 1 && i >= log.length - 32; i--) {
    const overwrite = log[i];
    const stale = log[i - 1];
    if (overwrite.ret < call && stale.ret < overwrite.call && stale.value !== null) return stale;
  }
  return undefined;
}

function chooseInput(rng: Rng, mix: [KvOpKind, number][], keys: string[], client: Client): KvInput {
  const total = mix.reduce((sum, [, w]) => sum + w, 0);
  let roll = rng.next() * total;
  let kind: KvOpKind = mix[mix.length - 1][0];
  for (const [k, w] of mix) {
    if ((roll -= w) < 0) {
      kind = k;
      break;
    }
  }
  const key = rng.pick(keys);
  const fresh = () => `${client.name}.${client.written++}`;
  switch (kind) {
    case 'get':
      return { op: 'get', key };
    case 'put':
      return { op: 'put', key, value: fresh() };
    case 'delete':
      return { op: 'delete', key };
    case 'range':
      return { op: 'range', prefix: rng.chance(0.5) ? 'key' : key };
    case 'cas': {
      const known = client.known.get(key);
      const compares: Omit<Extract<KvInput, { op: 'cas' }>, 'op' | 'key' | 'value'>[] = [];
      if (!known || known.value === null) compares.push({ expectVersion: 0 });
      if (known?.value) compares.push({ expectValue: known.value });
      if (known?.version !== undefined) compares.push({ expectVersion: known.version });
      if (known?.modRevision !== undefined) compares.push({ expectModRevision: known.modRevision });
      return { op: 'cas', key, ...rng.pick(compares), value: fresh() };
    }
  }
}

/** What a client believes about keys after a response: the basis of its next compare-and-swap. */
function learn(client: Client, input: KvInput, output: KvOkOutput): void {
  const { known } = client;
  switch (input.op) {
    case 'get':
      known.set(input.key, { value: output.value ?? null, version: output.version, modRevision: output.modRevision });
      break;
    case 'put':
      known.set(input.key, { value: input.value, modRevision: output.revision });
      break;
    case 'cas':
      if (output.succeeded) known.set(input.key, { value: input.value, modRevision: output.revision });
      else known.delete(input.key);
      break;
    case 'delete':
      known.set(input.key, { value: null, version: 0, modRevision: 0 });
      break;
    case 'range':
      for (const kv of output.kvs ?? []) known.set(kv.key, { value: kv.value, version: kv.version, modRevision: kv.modRevision });
      break;
  }
}
