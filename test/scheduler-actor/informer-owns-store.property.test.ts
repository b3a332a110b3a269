// `InformerOptions.ownsStore` (added for the scheduler, whose state is mutated in place): an informer that
// updates its store in place must see exactly what a copying one sees — same deltas, same cache — for any
// generated sequence of watch events (adds, updates, deletes, duplicates and stale replays included).
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import type { Pod } from 'kubernetes-types/core/v1.js';
import type { WatchEventBody } from '../../src/apiserver/protocol.ts';
import {
  DEFAULT_INFORMER_OPTIONS, PODS, byNodeName, newInformer, receiveResponse, receiveWatch, startInformer, storeList,
  type InformerSpec, type InformerState,
} from '../../src/client/index.ts';
import { numRuns } from '../fc.ts';

const spec: InformerSpec<Pod> = { name: 'pods', resource: PODS, indexers: { nodeName: byNodeName } };

const eventArb = fc.record({
  type: fc.constantFrom('ADDED', 'MODIFIED', 'DELETED') as fc.Arbitrary<'ADDED' | 'MODIFIED' | 'DELETED'>,
  name: fc.constantFrom('a', 'b', 'c', 'd'),
  node: fc.constantFrom(undefined, 'n1', 'n2'),
  /** How far back the event's resourceVersion is (0 = the next one; > 0 replays an old one). */
  back: fc.constantFrom(0, 0, 0, 1, 3),
});

function run(batches: { type: 'ADDED' | 'MODIFIED' | 'DELETED'; name: string; node?: string; back: number }[][], ownsStore: boolean) {
  const options = { ...DEFAULT_INFORMER_OPTIONS, apiserver: 'apiserver-0', idPrefix: 'x', ownsStore };
  let state: InformerState<Pod> = newInformer(spec, options);
  state = startInformer(spec, state, 0).state;
  state = receiveResponse(spec, state, { type: 'api.response', requestId: state.list!.requestId, code: 200, body: { metadata: { resourceVersion: '10' }, items: [] } }, 0).state;
  const deltas: string[] = [];
  let rv = 10;
  for (const batch of batches) {
    const events: WatchEventBody[] = batch.map((e) => {
      rv++;
      const object: Pod = { metadata: { name: e.name, namespace: 'default', resourceVersion: String(rv - e.back) }, spec: { containers: [], ...(e.node ? { nodeName: e.node } : {}) } };
      return { type: e.type, object };
    });
    const step = receiveWatch(spec, state, { type: 'api.watch', requestId: state.watch!.requestId, events }, 0);
    state = step.state;
    for (const d of step.deltas) deltas.push(`${d.type}:${d.object.metadata?.name}:${d.object.spec?.nodeName ?? ''}:${d.type === 'updated' ? (d.old.spec?.nodeName ?? '') : ''}`);
  }
  return { deltas, items: storeList(state.store), indices: state.store.indices };
}

describe('informer with ownsStore', () => {
  it('delivers the same deltas and cache as a copying informer', () => {
    fc.assert(
      fc.property(fc.array(fc.array(eventArb, { minLength: 1, maxLength: 4 }), { maxLength: 12 }), (batches) => {
        expect(run(batches, true)).toEqual(run(batches, false));
      }),
      { numRuns: numRuns(200) },
    );
  });
});
