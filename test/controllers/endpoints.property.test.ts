// Endpoints and EndpointSlices converge on the ready, selected pods once faults stop, whatever the pods
// did meanwhile (created ready or not, readiness flipping, relabelled out of and back into the Service,
// deleted) and whatever the watch streams did (delays, duplicates, broken streams, 410s). With the planted
// bug `endpoints-include-unready` the same check fails.
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import type { Plant } from '../../machines/controller-manager/config.ts';
import type { WatchFaults } from '../client/fake-apiserver.ts';
import { numRuns } from '../fc.ts';
import { placePod } from './nodes.ts';
import { podFor, podNamed, readyEndpointsMismatch, service, setReady, start } from './services.ts';

const RUNS = numRuns(20);
const TIMEOUT_MS = Math.max(120_000, RUNS * 2_000);

type Step =
  | { kind: 'create'; ready: boolean; node: 'node-1' | 'node-2' }
  | { kind: 'ready'; pod: number; ready: boolean }
  | { kind: 'relabel'; pod: number; app: 'web' | 'other' }
  | { kind: 'delete'; pod: number }
  | { kind: 'faults'; faults: WatchFaults }
  | { kind: 'wait'; ms: number }
  | { kind: 'expire' };

const faultsArb: fc.Arbitrary<WatchFaults> = fc.record({
  delayMs: fc.constantFrom<readonly [number, number] | undefined>(undefined, [0, 100], [100, 800]),
  duplicate: fc.constantFrom(0, 0.3),
  drop: fc.constantFrom(0, 0, 0.1),
  close: fc.constantFrom(0, 0.1),
  resources: fc.constantFrom<readonly string[] | undefined>(undefined, ['pods'], ['endpoints', 'endpointslices']),
});

const stepArb: fc.Arbitrary<Step> = fc.oneof(
  { arbitrary: fc.record({ kind: fc.constant('create' as const), ready: fc.boolean(), node: fc.constantFrom('node-1' as const, 'node-2' as const) }), weight: 3 },
  { arbitrary: fc.record({ kind: fc.constant('ready' as const), pod: fc.nat(20), ready: fc.boolean() }), weight: 3 },
  fc.record({ kind: fc.constant('relabel' as const), pod: fc.nat(20), app: fc.constantFrom('web' as const, 'other' as const) }),
  fc.record({ kind: fc.constant('delete' as const), pod: fc.nat(20) }),
  fc.record({ kind: fc.constant('faults' as const), faults: faultsArb }),
  fc.record({ kind: fc.constant('wait' as const), ms: fc.integer({ min: 10, max: 3_000 }) }),
  fc.record({ kind: fc.constant('expire' as const) }),
);

const scenarioArb = fc.record({ seed: fc.integer({ min: 1, max: 1_000_000 }), steps: fc.array(stepArb, { minLength: 1, maxLength: 15 }) });

class NotConverged extends Error {}

function runScenario(s: { seed: number; steps: Step[] }, plant?: Plant): void {
  const { c } = start(plant, { seed: s.seed });
  c.apply(service('web'), 'services');
  let n = 0;
  const names: string[] = [];
  const pick = (i: number) => (names.length > 0 ? names[i % names.length] : undefined);
  for (const step of s.steps) {
    const name = 'pod' in step ? pick(step.pod) : undefined;
    const pod = name ? c.pods().find((p) => p.metadata?.name === name) : undefined;
    switch (step.kind) {
      case 'create': {
        const created = podFor(`web-${++n}`, step.node, c.now, { ready: step.ready });
        names.push(created.metadata!.name!);
        placePod(c, created);
        break;
      }
      case 'ready':
        if (pod) setReady(c, name!, step.ready);
        break;
      case 'relabel':
        if (pod) c.apply({ ...pod, metadata: { ...pod.metadata, labels: { app: step.app } } }, 'pods');
        break;
      case 'delete':
        if (pod) c.deletePod(podNamed(c, name!));
        break;
      case 'faults':
        c.faults(step.faults);
        break;
      case 'wait':
        c.run(step.ms);
        break;
      case 'expire':
        c.fake.send({ type: 'fake.expire' });
        break;
    }
  }
  // Faults stop; within a bound of simulated time the endpoints must match the ready pods, and stay so.
  c.faults({});
  if (!c.sim.runUntilTrue(() => readyEndpointsMismatch(c).length === 0, 60_000)) throw new NotConverged(readyEndpointsMismatch(c).join('; '));
  c.run(5_000);
  const after = readyEndpointsMismatch(c);
  if (after.length > 0) throw new NotConverged(`diverged again: ${after.join('; ')}`);
}

describe('endpoints converge on the ready pods after faults stop (property)', () => {
  it('holds', () => {
    fc.assert(fc.property(scenarioArb, (s) => runScenario(s)), { numRuns: RUNS });
  }, TIMEOUT_MS);

  it('fails with the planted bug endpoints-include-unready', () => {
    let failure: unknown;
    try {
      fc.assert(fc.property(scenarioArb, (s) => runScenario(s, 'endpoints-include-unready')), { numRuns: RUNS, endOnFailure: true });
    } catch (error) {
      failure = error;
    }
    expect(failure).toBeInstanceOf(Error);
    expect((failure as Error).cause).toBeInstanceOf(NotConverged);
  }, TIMEOUT_MS);
});
