// The campaign's own invariant: the taint manager waits out a pod's tolerationSeconds. Fed hand-made
// snapshots: an eviction after T seconds passes, an early one (the planted bug's) is caught, and evictions
// the rules allow at once (an untolerated taint) are not flagged.
import { describe, expect, it } from 'vitest';
import type { Node, Pod } from 'kubernetes-types/core/v1.js';
import { fromResourceLists } from '../../src/check/convergence/view.ts';
import { TolerationEvictionMonitor } from '../../src/campaign/cluster/toleration-check.ts';
import { rfc3339 } from '../../src/kubelet/format.ts';

const TAINTED_AT = 60_000;

function node(tainted: boolean): Node {
  return {
    metadata: { name: 'node-1' },
    spec: tainted ? { taints: [{ key: 'node.kubernetes.io/unreachable', effect: 'NoExecute', timeAdded: rfc3339(TAINTED_AT) }] } : {},
  };
}

function pod(name: string, evictedAt: number | undefined, tolerationSeconds: number | undefined): Pod {
  return {
    metadata: { name, namespace: 'default', uid: `uid-${name}` },
    spec: {
      nodeName: 'node-1', containers: [{ name: 'app', image: 'nginx' }],
      tolerations: tolerationSeconds === undefined ? [] : [{ key: 'node.kubernetes.io/unreachable', operator: 'Exists', effect: 'NoExecute', tolerationSeconds }],
    },
    status: evictedAt === undefined ? {} : {
      conditions: [{ type: 'DisruptionTarget', status: 'True', reason: 'DeletionByTaintManager', lastTransitionTime: rfc3339(evictedAt) }],
    },
  };
}

const view = (time: number, tainted: boolean, pods: Pod[]) => fromResourceLists({ nodes: [node(tainted)], pods }, { time });

describe('TolerationEvictionMonitor', () => {
  it('passes an eviction after tolerationSeconds and catches one before', () => {
    const monitor = new TolerationEvictionMonitor();
    monitor.observe(view(TAINTED_AT - 1_000, false, [pod('patient', undefined, 30), pod('hasty', undefined, 300)]));
    monitor.observe(view(TAINTED_AT + 1_000, true, [pod('patient', undefined, 30), pod('hasty', TAINTED_AT + 500, 300)]));
    monitor.observe(view(TAINTED_AT + 31_000, true, [pod('patient', TAINTED_AT + 30_000, 30), pod('hasty', TAINTED_AT + 500, 300)]));
    expect(monitor.violations).toHaveLength(1);
    expect(monitor.violations[0].message).toContain('Pod default/hasty was evicted by the taint manager');
    expect(monitor.violations[0].message).toContain('tolerates the taint for 300 s');
  });

  it('does not flag a pod that does not tolerate the taint (evicted at once, rightly)', () => {
    const monitor = new TolerationEvictionMonitor();
    monitor.observe(view(TAINTED_AT + 1_000, true, [pod('intolerant', TAINTED_AT + 100, undefined)]));
    expect(monitor.violations).toEqual([]);
  });

  it('catches the eviction of a pod that tolerates the taint for ever', () => {
    const monitor = new TolerationEvictionMonitor();
    const forever: Pod = { ...pod('forever', TAINTED_AT + 5_000, undefined), spec: { ...pod('forever', undefined, undefined).spec!, tolerations: [{ operator: 'Exists' }] } };
    monitor.observe(view(TAINTED_AT + 6_000, true, [forever]));
    expect(monitor.violations.map((v) => v.message)).toEqual([expect.stringContaining('tolerates the taint for ever')]);
  });
});
