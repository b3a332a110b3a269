// checkStable over windows of snapshots, and a property: any one planted bug, on any object, in any
// order of the stored lists, is caught; the untouched cluster always passes.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { checkConvergence, checkStable, formatViolations } from '../../../src/check/convergence/index.ts';
import { numRuns } from '../../fc.ts';
import { convergedParts, pod, republish, viewOf, type ClusterParts } from './fixture.ts';

describe('checkStable', () => {
  it('accepts a window that converges and stays converged', () => {
    const unready = convergedParts();
    unready.pods[0].status!.conditions = [{ type: 'Ready', status: 'False' }];
    republish(unready);
    const r = checkStable([viewOf(unready, 100_000), viewOf(convergedParts(), 110_000), viewOf(convergedParts(), 120_000)]);
    expect(r).toEqual({ ok: true, convergedAt: 110_000, violations: [] });
  });

  it('reports a window that never converges, with what remains wrong at its end', () => {
    const parts = convergedParts();
    parts.pods.splice(0, 1);
    republish(parts);
    const r = checkStable([viewOf(parts, 100_000), viewOf(parts, 200_000)]);
    expect(r.ok).toBe(false);
    expect(r.violations[0].message).toBe('The cluster did not converge by 200000ms; 2 problems remain.');
    expect(r.violations.slice(1).map((v) => v.object)).toContain('Deployment default/web');
  });

  it('reports a cluster that converged and then left the state', () => {
    const broken = convergedParts();
    broken.deployments[0].status!.readyReplicas = 1;
    const r = checkStable([viewOf(convergedParts(), 100_000), viewOf(broken, 110_000), viewOf(convergedParts(), 120_000)]);
    expect(r.ok).toBe(false);
    expect(r.violations[0].message).toBe('The cluster converged at 100000ms but left that state at 110000ms.');
  });

  it('reports pods that churn even when every snapshot looks converged (a controller replacing healthy pods)', () => {
    const replaced = convergedParts();
    const old = replaced.pods[0];
    replaced.pods[0] = pod('web-replacement', { template: replaced.replicasets[0].spec!.template, owner: replaced.replicasets[0], node: 'node-1' });
    republish(replaced);
    expect(checkConvergence(viewOf(replaced))).toEqual([]);
    const r = checkStable([viewOf(convergedParts(), 100_000), viewOf(replaced, 110_000)]);
    expect(r.ok).toBe(false);
    expect(r.violations[0].message).toBe(
      `The cluster converged at 100000ms but its pods churned by 110000ms: pod default/${old.metadata!.name} went away; pod default/web-replacement appeared.`,
    );
  });

  it('rejects an empty window', () => {
    expect(checkStable([]).ok).toBe(false);
  });
});

/** One planted bug each; `i` picks the object it hits. */
const PLANTS: Record<string, (p: ClusterParts, i: number) => void> = {
  'extra pod': (p, i) => {
    const rs = p.replicasets[0];
    p.pods.push(pod(`extra-${i}`, { template: rs.spec!.template, owner: rs, node: `node-${(i % 3) + 1}` }));
    republish(p);
  },
  'lost pod': (p, i) => {
    const web = p.pods.filter((x) => x.metadata!.name!.startsWith('web-'));
    p.pods.splice(p.pods.indexOf(web[i % web.length]), 1);
    republish(p);
  },
  'unready pod still a ready endpoint': (p, i) => {
    p.pods[i % 3].status!.conditions = [{ type: 'Ready', status: 'False' }];
  },
  'daemon pod missing': (p, i) => {
    const agents = p.pods.filter((x) => x.metadata!.name!.startsWith('agent-'));
    p.pods.splice(p.pods.indexOf(agents[i % agents.length]), 1);
  },
  'stale rules on a live node': (p, i) => {
    const node = `node-${(i % 3) + 1}`;
    const stale = p.rules[node];
    p.pods.push(pod(`web-extra-${i}`, { labels: { app: 'web' }, node: 'node-1' }));
    republish(p);
    p.rules[node] = stale;
  },
  'pod on a node that is gone': (p, i) => {
    p.pods.push(pod(`lost-${i}`, { node: 'node-9' }));
  },
  'node down, not tainted': (p, i) => {
    p.liveNodes = p.liveNodes.filter((n) => n !== `node-${(i % 3) + 1}`);
  },
  'job complete, pod still running': (p, i) => {
    p.pods.push(pod(`done-late-${i}`, { owner: p.jobs[0], node: 'node-2' }));
  },
};

describe('property: every planted bug is caught, the converged cluster passes', () => {
  it('holds for any plant, target and storage order', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...Object.keys(PLANTS), 'none'),
        fc.nat(20),
        fc.integer(),
        (plant, i, seed) => {
          const parts = convergedParts();
          if (plant !== 'none') PLANTS[plant](parts, i);
          // The order objects come back from storage must not matter.
          const order = (xs: unknown[]) => xs.sort((a, b) => (JSON.stringify(a).length * seed) % 7 - (JSON.stringify(b).length * seed) % 7);
          order(parts.pods);
          order(parts.nodes);
          const violations = checkConvergence(viewOf(parts));
          if (plant === 'none') expect(formatViolations(violations)).toBe('');
          else expect(violations.length, plant).toBeGreaterThan(0);
        },
      ),
      { numRuns: numRuns(200) },
    );
  });
});
