// The real apiserver's watch streams are numbered (`seq`), so an informer on a link that loses, repeats
// and reorders messages breaks the stream at a gap and watches again: once the faults stop its cache
// equals what the apiserver lists. (test/client/watch-link-faults.property.test.ts checks the same against
// the fake apiserver, with the planted bug that ignores gaps.)
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import type { KubeObject } from '../../src/client/index.ts';
import { numRuns } from '../fc.ts';
import { informerHostMachine, type InformerHostConfig } from '../client/informer-host.ts';
import { cachedObjects, informerContext } from '../client/helpers.ts';
import { APISERVER, ApiHarness, core, create, del, list, obj, pod, update } from './harness.ts';

const RUNS = numRuns(10);
const INFORMER = 'client-0';
const NAMES = ['p0', 'p1', 'p2'];

const stepArb = fc.record({
  kind: fc.constantFrom('put', 'put', 'delete'),
  name: fc.constantFrom(...NAMES),
  version: fc.integer({ min: 0, max: 9 }),
  gapMs: fc.integer({ min: 0, max: 300 }),
});

const scenarioArb = fc.record({
  seed: fc.integer({ min: 1, max: 1_000_000 }),
  faults: fc.record({ drop: fc.constantFrom(0.05, 0.2, 0.4), duplicate: fc.constantFrom(0, 0.2), reorder: fc.boolean() }),
  steps: fc.array(stepArb, { minLength: 1, maxLength: 20 }),
});

describe('informer against the real apiserver over a faulty link (property)', () => {
  it('ends with the apiserver\'s state once the faults stop', () => {
    fc.assert(
      fc.property(scenarioArb, ({ seed, faults, steps }) => {
        const h = new ApiHarness({ seed, config: { bookmarkIntervalMs: 500 } }).start();
        const link = { ...faults, latency: { kind: 'uniform' as const, minMs: 1, maxMs: 40 } };
        h.sim.network.addLayer('faults', APISERVER, INFORMER, link);
        h.sim.network.addLayer('faults-back', INFORMER, APISERVER, link);
        const client = h.sim.add(INFORMER, informerHostMachine, {
          apiserver: APISERVER,
          options: { stallTimeoutMs: 2_000, listTimeoutMs: 2_000, backoff: { initialMs: 100, maxMs: 1_000, factor: 2, resetAfterMs: 10_000 } },
        } satisfies InformerHostConfig);
        h.run(50);
        for (const step of steps) {
          const current = h.call({ verb: 'get', ...core('pods'), namespace: 'default', name: step.name });
          if (step.kind === 'delete') {
            if (current.code === 200) h.call(del(core('pods'), 'default', step.name));
          } else if (current.code === 200) {
            const body = obj(current);
            h.call(update(core('pods'), 'default', step.name, { ...body, metadata: { ...body.metadata, labels: { v: String(step.version) } } }));
          } else {
            h.call(create(core('pods'), 'default', pod(step.name, { labels: { v: String(step.version) } })));
          }
          h.run(step.gapMs);
        }
        h.sim.network.removeLayer('faults');
        h.sim.network.removeLayer('faults-back');
        h.run(8_000);
        const server = (obj(h.call(list(core('pods')))).items as KubeObject[]).map((p) => [p.metadata?.name, p.metadata?.resourceVersion]);
        const cached = cachedObjects(client).map((p) => [p.metadata?.name, p.metadata?.resourceVersion]);
        expect(cached).toEqual(server);
        expect(informerContext(client).informer.phase).toBe('watching');
      }),
      { numRuns: RUNS },
    );
  });
});
