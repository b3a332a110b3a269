// Cache consistency: whatever happens to a watch stream (batching, duplicates, stale re-deliveries,
// loss), the informer's cache — and the picture its handlers build from the deltas — equals the
// server's state once the stream is whole or after a relist.
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import type { ApiRequestMessage, ApiWatchMessage, WatchEventBody } from '../../src/apiserver/protocol.ts';
import { expired } from '../../src/apiserver/protocol.ts';
import {
  DEFAULT_INFORMER_OPTIONS, informerDeadline, newInformer, receiveResponse, receiveWatch, startInformer, storeList,
  tickInformer, metaNamespaceKey, type Delta, type InformerState, type KubeObject,
} from '../../src/client/index.ts';
import { numRuns } from '../fc.ts';
import { apiCreate, apiDelete, apiList, apiUpdate, emptyApiStore, objectsOf, type ApiStore, type HistoryEntry } from './fake-apiserver-store.ts';
import { podSpec } from './informer-host.ts';
import { cachedObjects, informerContext, informerSim, pod, serverObjects } from './helpers.ts';

const RUNS = numRuns(20);
const NAMES = ['p0', 'p1', 'p2', 'p3'];

type Op = { kind: 'put' | 'delete'; name: string; version: number };
type Fault = 'deliver' | 'drop' | 'duplicate' | 'replayLater';

const opArb: fc.Arbitrary<Op> = fc.record({
  kind: fc.constantFrom<Op['kind']>('put', 'put', 'delete'),
  name: fc.constantFrom(...NAMES),
  version: fc.integer({ min: 0, max: 3 }),
});

function applyOp(store: ApiStore, op: Op, now: number): { store: ApiStore; events: HistoryEntry[] } {
  const base = { group: '', version: 'v1', resource: 'pods', namespace: 'default' };
  if (op.kind === 'delete') return apiDelete(store, { ...base, verb: 'delete', name: op.name });
  const exists = store.objects.pods?.[`default/${op.name}`];
  const body = pod(op.name, { v: String(op.version) });
  return exists
    ? apiUpdate(store, { ...base, verb: 'update', name: op.name, body }, true)
    : apiCreate(store, { ...base, verb: 'create', body }, now);
}

/** What a handler would hold if it applied every delta to its own map. */
function mirror(deltas: readonly Delta<KubeObject>[]): KubeObject[] {
  const map = new Map<string, KubeObject>();
  for (const d of deltas) {
    if (d.type === 'deleted') map.delete(metaNamespaceKey(d.object));
    else map.set(metaNamespaceKey(d.object), d.object);
  }
  return [...map.keys()].sort().map((k) => map.get(k)!);
}

interface Run {
  informer: InformerState<KubeObject>;
  deltas: Delta<KubeObject>[];
  server: ApiStore;
}

function listAndWatch(server: ApiStore): Run {
  const options = { ...DEFAULT_INFORMER_OPTIONS, apiserver: 'apiserver-0', idPrefix: 'p#0' };
  const started = startInformer(podSpec, newInformer(podSpec, options), 0);
  const listId = (started.sends[0].message as ApiRequestMessage).requestId;
  const list = apiList(server, { verb: 'list', group: '', version: 'v1', resource: 'pods' });
  const synced = receiveResponse(podSpec, started.state, { type: 'api.response', requestId: listId, code: 200, body: list.body }, 0);
  return { informer: synced.state, deltas: [...synced.deltas], server };
}

function feed(run: Run, events: WatchEventBody[], now: number): Run {
  const message: ApiWatchMessage = { type: 'api.watch', requestId: run.informer.watch!.requestId, events };
  const next = receiveWatch(podSpec, run.informer, message, now);
  return { ...run, informer: next.state, deltas: [...run.deltas, ...next.deltas] };
}

/** Streams the ops' events through the chosen faults; returns what the informer made of them. */
function stream(initialOps: Op[], ops: { op: Op; fault: Fault }[]): Run {
  let server = emptyApiStore([1, 2, 3, 4], 10_000);
  for (const op of initialOps) server = applyOp(server, op, 0).store;
  let run = listAndWatch(server);
  const later: WatchEventBody[] = [];
  ops.forEach(({ op, fault }, i) => {
    const result = applyOp(run.server, op, i);
    run = { ...run, server: result.store };
    const events = result.events.map((e) => ({ type: e.type, object: e.object }));
    if (events.length === 0 || fault === 'drop') return;
    run = feed(run, events, i);
    if (fault === 'duplicate') run = feed(run, events, i);
    if (fault === 'replayLater') later.push(...events);
  });
  // Stale copies arriving after newer events, as a duplicating network delivers them.
  if (later.length > 0) run = feed(run, later, ops.length);
  return run;
}

function relist(run: Run): Run {
  const now = 10_000;
  let next = feed(run, [{ type: 'ERROR', object: expired(run.informer.lastSyncResourceVersion, String(run.server.rv)) }], now);
  const tick = tickInformer(podSpec, next.informer, informerDeadline(next.informer)!);
  const listId = (tick.sends[0].message as ApiRequestMessage).requestId;
  const list = apiList(run.server, { verb: 'list', group: '', version: 'v1', resource: 'pods' });
  const listed = receiveResponse(podSpec, tick.state, { type: 'api.response', requestId: listId, code: 200, body: list.body }, now);
  next = { ...next, informer: listed.state, deltas: [...next.deltas, ...listed.deltas] };
  return next;
}

describe('informer cache consistency (property)', () => {
  it('equals the server after any stream without loss, despite duplicates and stale re-deliveries', () => {
    fc.assert(
      fc.property(
        fc.array(opArb, { maxLength: 4 }),
        fc.array(fc.record({ op: opArb, fault: fc.constantFrom<Fault>('deliver', 'duplicate', 'replayLater') }), { maxLength: 30 }),
        (initialOps, ops) => {
          const run = stream(initialOps, ops);
          const server = objectsOf(run.server, 'pods');
          expect(storeList(run.informer.store)).toEqual(server);
          expect(mirror(run.deltas)).toEqual(server);
        },
      ),
      { numRuns: RUNS },
    );
  });

  it('equals the server after a relist, whatever the stream lost', () => {
    fc.assert(
      fc.property(
        fc.array(opArb, { maxLength: 4 }),
        fc.array(fc.record({ op: opArb, fault: fc.constantFrom<Fault>('deliver', 'drop', 'duplicate', 'replayLater') }), { maxLength: 30 }),
        (initialOps, ops) => {
          const run = relist(stream(initialOps, ops));
          const server = objectsOf(run.server, 'pods');
          expect(storeList(run.informer.store)).toEqual(server);
          expect(mirror(run.deltas)).toEqual(server);
          expect(run.informer.phase).toBe('watching');
        },
      ),
      { numRuns: RUNS },
    );
  });

  it('converges in a simulation with generated watch faults once they stop (stalls and 410s force relists)', () => {
    const faultsArb = fc.record({
      delayMs: fc.constantFrom<readonly [number, number] | undefined>(undefined, [0, 30], [0, 300]),
      duplicate: fc.constantFrom(0, 0.3),
      drop: fc.constantFrom(0, 0.1, 0.5),
      close: fc.constantFrom(0, 0.2),
    });
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 1_000_000 }),
        fc.array(fc.record({ op: opArb, faults: faultsArb, gapMs: fc.integer({ min: 0, max: 400 }), expire: fc.boolean() }), { maxLength: 25 }),
        (seed, steps) => {
          const { sim, fake, command, startInformer: start } = informerSim({
            seed, fake: { bookmarkIntervalMs: 500 },
            informer: { stallTimeoutMs: 2_000, backoff: { initialMs: 100, maxMs: 1_000, factor: 2, resetAfterMs: 10_000 } },
          });
          const client = start();
          sim.runFor(20);
          for (const { op, faults, gapMs, expire } of steps) {
            command({ type: 'fake.faults', faults });
            if (op.kind === 'delete') command({ type: 'fake.delete', resource: 'pods', namespace: 'default', name: op.name });
            else command({ type: 'fake.put', resource: 'pods', object: pod(op.name, { v: String(op.version) }) });
            if (expire) command({ type: 'fake.expire' });
            sim.runFor(gapMs);
          }
          command({ type: 'fake.faults', faults: {} });
          sim.runFor(6_000);
          const server = serverObjects(fake, 'pods');
          expect(cachedObjects(client)).toEqual(server);
          expect(mirror(informerContext(client).deltas)).toEqual(server);
        },
      ),
      { numRuns: RUNS },
    );
  });
});
