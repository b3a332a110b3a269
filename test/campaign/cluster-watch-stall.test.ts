// The campaign's stale-state fault aimed at the ReplicaSet controller (`watch-stall`): from its next pod
// create for a ReplicaSet, the pod watch streams to the controller-manager hold their events while every
// other stream flows, then deliver them in order. With expectations nothing goes wrong; without them
// (the planted rs-no-expectations) the controller counts the ReplicaSet's pods on a cache that lacks its
// own creations and creates more. The scenario is the generated one that caught the plant (seed 10).
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { runClusterScenario } from '../../src/campaign/cluster/profile.ts';
import { parseClusterScenario } from '../../src/campaign/cluster/parse.ts';
import { OVERCREATION_INVARIANT } from '../../src/campaign/cluster/replicaset-check.ts';

const scenario = parseClusterScenario(JSON.parse(readFileSync(new URL('../../examples/campaign/watch-stall-replicaset.json', import.meta.url), 'utf8')));

describe('watch-stall (stale state for the ReplicaSet controller)', () => {
  it('makes the planted rs-no-expectations over-create, caught by the ReplicaSet invariant', () => {
    const report = runClusterScenario(scenario, { plant: 'rs-no-expectations' });
    expect(report.stats.stallsStarted).toBe(1);
    expect(report.violations.map((v) => v.invariant)).toContain(OVERCREATION_INVARIANT);
  });

  it('is harmless with expectations: no violation, the cluster converges', () => {
    const report = runClusterScenario(scenario);
    expect(report.stats.stallsStarted).toBe(1);
    expect(report.violations).toEqual([]);
    expect(report.stats.convergedAfterMs).toBeGreaterThanOrEqual(0);
  });
});
