// The ReplicaSet controller's expectations keep a Deployment's pods within replicas + maxSurge whatever
// the watch streams do (delays, duplicates, broken streams, clean closes, 410s) — checked after every
// event of the run — and without them (the planted bug) the same check fails.
//
// Scenario space: a Deployment with generated size and surge/unavailable settings; kubelets readying
// pods; rollouts, each started from a settled Deployment; watch faults switched on and off. Left out on
// purpose: scale changes and pod evictions during a rollout. Upstream bounds maxSurge on the ReplicaSets'
// spec.replicas, not on pods, and with those a lagging watch can leave an old ReplicaSet's pods
// undeleted while the new one grows — real Kubernetes behaviour, not a model bug (docs/controllers.md).
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import type { VirtualClock } from '../../src/sim/clock.ts';
import type { WatchFaults } from '../client/fake-apiserver.ts';
import { resolveFenceposts } from '../../machines/controller-manager/deployment/util.ts';
import type { Plant } from '../../machines/controller-manager/config.ts';
import { numRuns } from '../fc.ts';
import { Cluster } from './harness.ts';

const RUNS = numRuns(20);
/** Whole simulations per run: the budget grows with FC_NUM_RUNS so long campaigns are not cut short. */
const TIMEOUT_MS = Math.max(120_000, RUNS * 1_000);

type Step =
  | { kind: 'faults'; faults: WatchFaults }
  | { kind: 'ready'; count: number }
  | { kind: 'wait'; ms: number }
  | { kind: 'rollout' }
  | { kind: 'expire' };

interface Scenario {
  seed: number;
  replicas: number;
  maxSurge: number | string;
  maxUnavailable: number | string;
  steps: Step[];
}

const faultsArb: fc.Arbitrary<WatchFaults> = fc.record({
  delayMs: fc.constantFrom<readonly [number, number] | undefined>(undefined, [0, 50], [0, 400], [200, 800]),
  duplicate: fc.constantFrom(0, 0.3),
  drop: fc.constantFrom(0, 0, 0.05, 0.3),
  close: fc.constantFrom(0, 0.1),
  resources: fc.constantFrom<readonly string[] | undefined>(undefined, ['pods'], ['replicasets']),
});

const stepArb: fc.Arbitrary<Step> = fc.oneof(
  fc.record({ kind: fc.constant('faults' as const), faults: faultsArb }),
  fc.record({ kind: fc.constant('ready' as const), count: fc.integer({ min: 1, max: 5 }) }),
  fc.record({ kind: fc.constant('wait' as const), ms: fc.integer({ min: 20, max: 2_000 }) }),
  fc.record({ kind: fc.constant('rollout' as const) }),
  fc.record({ kind: fc.constant('expire' as const) }),
);

const scenarioArb: fc.Arbitrary<Scenario> = fc.record({
  seed: fc.integer({ min: 1, max: 1_000_000 }),
  replicas: fc.integer({ min: 1, max: 5 }),
  maxSurge: fc.constantFrom<number | string>(0, 1, 2, '25%', '50%'),
  maxUnavailable: fc.constantFrom<number | string>(0, 1, '25%', '50%'),
  steps: fc.array(stepArb, { minLength: 1, maxLength: 12 }),
});

class BoundExceeded extends Error {}

function runScenario(s: Scenario, plant?: Plant): void {
  const c = new Cluster({ seed: s.seed, kcm: plant ? { plant } : {} });
  const clock = c.sim.clock as VirtualClock;
  const [surge] = resolveFenceposts(s.maxSurge, s.maxUnavailable, s.replicas);
  const bound = s.replicas + surge;
  const check = () => {
    const pods = c.deploymentPods().length;
    if (pods > bound) throw new BoundExceeded(`${pods} pods at ${c.now.toFixed(1)} ms, bound ${bound}`);
  };
  /** Steps the run event by event until `until` or `done`, checking the bound after each. */
  const advance = (ms: number, done?: () => boolean): boolean => {
    const end = c.now + ms;
    for (;;) {
      if (done?.()) return true;
      const next = clock.nextDeadline();
      if (next === undefined || next > end) {
        c.sim.runUntil(end);
        check();
        return done?.() ?? true;
      }
      c.sim.step();
      check();
    }
  };
  const settled = () => {
    c.readyAll();
    return c.rolledOut() && c.deploymentPods().length === s.replicas;
  };
  let version = 25;
  c.run(50);
  c.createDeployment('web', {
    replicas: s.replicas, strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: s.maxSurge, maxUnavailable: s.maxUnavailable } },
  });
  for (const step of s.steps) {
    switch (step.kind) {
      case 'faults':
        c.faults(step.faults);
        break;
      case 'ready':
        for (const pod of c.pods().filter((p) => !c.isReady(p)).slice(0, step.count)) c.markReady(pod);
        break;
      case 'wait':
        advance(step.ms);
        break;
      case 'rollout':
        // Only from a settled Deployment; a rollout that cannot settle in time is skipped.
        if (advance(30_000, settled)) c.setImage(`nginx:1.${++version}`);
        break;
      case 'expire':
        c.fake.send({ type: 'fake.expire' });
        break;
    }
    check();
  }
  // Liveness: with the faults gone the rollout completes, on the latest template.
  c.faults({});
  expect(advance(60_000, settled)).toBe(true);
  expect(c.pods().every((p) => p.spec?.containers[0].image === `nginx:1.${version}`)).toBe(true);
}

describe('deployment pods stay within replicas + maxSurge under watch faults (property)', () => {
  it('holds with expectations, checked after every event', () => {
    fc.assert(fc.property(scenarioArb, (s) => runScenario(s)), { numRuns: RUNS });
  }, TIMEOUT_MS);

  it('fails with the planted bug rs-no-expectations', () => {
    // The same scenarios, each opening with lagging pod watch events.
    const lagging = scenarioArb.map((s): Scenario => ({
      ...s, steps: [{ kind: 'faults', faults: { delayMs: [100, 500], resources: ['pods'] } }, { kind: 'wait', ms: 2_000 }, ...s.steps],
    }));
    let failure: unknown;
    try {
      fc.assert(fc.property(lagging, (s) => runScenario(s, 'rs-no-expectations')), { numRuns: RUNS, endOnFailure: true });
    } catch (error) {
      failure = error;
    }
    expect(failure).toBeInstanceOf(Error);
    // fast-check keeps the property's own error as the cause.
    expect((failure as Error).cause).toBeInstanceOf(BoundExceeded);
  }, TIMEOUT_MS);
});
