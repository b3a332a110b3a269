// A whole-cluster run is a pure function of its seed: the same seed gives a byte-identical trace.
import { describe, expect, it } from 'vitest';
import { buildCluster } from '../../src/cluster/index.ts';
import { TraceRecorder } from '../../src/trace/recorder.ts';
import { deploymentYaml } from './helpers.ts';

function tracedRun(seed: number): string {
  const cluster = buildCluster({ nodes: { count: 3 } }, { seed });
  const recorder = new TraceRecorder(cluster.sim);
  cluster.start();
  cluster.apply(deploymentYaml('web'));
  cluster.runFor(10_000);
  cluster.scale('deployment/web', 1);
  cluster.runFor(5_000);
  recorder.stop();
  cluster.stop();
  return recorder.text();
}

describe('whole-cluster determinism', () => {
  it('the same seed gives a byte-identical trace; another seed a different one', () => {
    const first = tracedRun(7);
    const second = tracedRun(7);
    expect(first.length).toBeGreaterThan(100_000);
    expect(second).toBe(first);
    expect(tracedRun(8)).not.toBe(first);
  });
});
