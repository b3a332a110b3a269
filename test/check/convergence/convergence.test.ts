// The ESR checker on hand-built snapshots: a converged cluster passes; each planted bug is caught with a
// sentence that names the object.
import { describe, expect, it } from 'vitest';
import { checkConvergence, formatViolations, type Violation } from '../../../src/check/convergence/index.ts';
import { NODES, convergedParts, deploymentWithPods, node, pod, republish, rulesFor, viewOf, type ClusterParts } from './fixture.ts';

function check(mutate: (p: ClusterParts) => void): Violation[] {
  const parts = convergedParts();
  mutate(parts);
  return checkConvergence(viewOf(parts));
}

const messages = (vs: readonly Violation[]) => vs.map((v) => v.message);

describe('checkConvergence on a converged cluster', () => {
  it('finds nothing', () => {
    const violations = checkConvergence(viewOf(convergedParts()));
    expect(formatViolations(violations)).toBe('');
  });

  it('also accepts a Deployment scaled to zero and a Service without endpoints', () => {
    const vs = check((p) => {
      p.deployments[0].spec!.replicas = 0;
      p.deployments[0].status = { observedGeneration: 2 };
      p.replicasets[0].spec!.replicas = 0;
      p.replicasets[0].status = { observedGeneration: 1, replicas: 0 };
      p.pods = p.pods.filter((x) => !x.metadata!.name!.startsWith('web-'));
      republish(p);
    });
    expect(formatViolations(vs)).toBe('');
  });
});

describe('planted bugs in workloads', () => {
  it('an extra pod (a ReplicaSet over-creating) is caught on the ReplicaSet and the Deployment', () => {
    const vs = check((p) => {
      const rs = p.replicasets[0];
      p.pods.push(pod('web-extra', { template: rs.spec!.template, owner: rs, node: 'node-2' }));
      republish(p);
    });
    expect(messages(vs)).toContain(`ReplicaSet default/${p0().replicasets[0].metadata!.name} has 4 active pods, wants 3 (${p0().pods.filter((x) => x.metadata!.name!.startsWith('web-')).map((x) => x.metadata!.name).join(', ')}, web-extra).`);
    expect(vs.some((v) => v.object === 'Deployment default/web' && v.message.includes('has 4 active pods, wants 3'))).toBe(true);
  });

  it('a missing pod is caught', () => {
    const vs = check((p) => {
      p.pods.splice(0, 1);
      republish(p);
    });
    expect(vs.some((v) => v.property === 'replicaset' && v.message.includes('has 2 active pods, wants 3'))).toBe(true);
  });

  it('a pod of the old template left running is caught', () => {
    const vs = check((p) => {
      const old = p.replicasets[1];
      old.spec!.replicas = 1;
      old.status = { observedGeneration: 1, replicas: 1, readyReplicas: 1, availableReplicas: 1 };
      p.pods.push(pod('web-old-0', { template: old.spec!.template, owner: old, node: 'node-1' }));
      republish(p);
    });
    expect(messages(vs)).toContain(`Deployment default/web still has old ReplicaSet ${p0().replicasets[1].metadata!.name} scaled to 1.`);
    expect(vs.some((v) => v.message.includes('has pod default/web-old-0 from an old template'))).toBe(true);
  });

  it('a Deployment whose template has no ReplicaSet yet (rollout never started) is caught', () => {
    const vs = check((p) => {
      p.deployments[0].spec!.template.spec!.containers[0].image = 'nginx:1.26';
      p.deployments[0].metadata!.generation = 3;
    });
    expect(messages(vs)).toContain('Deployment default/web has no ReplicaSet with its current pod template.');
    expect(messages(vs)).toContain('Deployment default/web has stale status: observedGeneration 2 is behind generation 3.');
  });

  it('a pod that is not Ready, or not scheduled, is caught', () => {
    const vs = check((p) => {
      p.pods[0].status!.conditions = [{ type: 'Ready', status: 'False' }];
      delete p.pods[1].spec!.nodeName;
      p.pods[1].status = { phase: 'Pending' };
      republish(p);
    });
    const [a, b] = [p0().pods[0].metadata!.name, p0().pods[1].metadata!.name];
    expect(messages(vs)).toContain(`Deployment default/web has pod default/${a} that is Running on node-1 but not Ready.`);
    expect(messages(vs)).toContain(`Deployment default/web has pod default/${b} that is Pending and not scheduled.`);
  });

  it('status that lags the pods is caught', () => {
    const vs = check((p) => {
      p.deployments[0].status!.availableReplicas = 2;
    });
    expect(messages(vs)).toEqual(['Deployment default/web reports availableReplicas=2 in its status, but wants 3.']);
  });

  it('an orphan pod the ReplicaSet selects but never adopted is caught', () => {
    const vs = check((p) => {
      const rs = p.replicasets[0];
      p.pods.push(pod('stray', { template: rs.spec!.template, node: 'node-3' }));
      republish(p);
    });
    expect(vs.some((v) => v.object.startsWith('ReplicaSet') && v.message.includes('selects 1 pods it has not adopted: stray'))).toBe(true);
  });

  it('a DaemonSet missing from a node, or running on a node it must leave, is caught', () => {
    const missing = check((p) => {
      p.pods = p.pods.filter((x) => x.metadata!.name !== 'agent-node-2');
    });
    expect(messages(missing)).toContain('DaemonSet kube-system/agent has no pod on node-2, a node it should run on.');
    expect(messages(missing).some((m) => m.includes('currentNumberScheduled=3 (want 3)'))).toBe(false);

    const tainted = check((p) => {
      p.nodes[2] = node('node-3', { taints: [{ key: 'dedicated', value: 'db', effect: 'NoExecute' }] });
    });
    expect(messages(tainted)).toContain('DaemonSet kube-system/agent has pod kube-system/agent-node-3 on node-3, a node it must not run on (selector or taints).');
    expect(messages(tainted).some((m) => m.includes('desiredNumberScheduled=3 (want 2)'))).toBe(true);
  });

  it('a DaemonSet pod from an old revision is caught', () => {
    const vs = check((p) => {
      p.daemonsets[0].spec!.template.spec!.containers[0].image = 'agent:2.0';
    });
    expect(vs.filter((v) => v.message.includes('from an old revision'))).toHaveLength(3);
  });

  it('a DaemonSet tolerates cordons but honours its nodeSelector', () => {
    const cordoned = check((p) => {
      p.nodes[0].spec!.unschedulable = true;
      p.nodes[0].spec!.taints = [{ key: 'node.kubernetes.io/unschedulable', effect: 'NoSchedule' }];
    });
    expect(formatViolations(cordoned)).toBe('');
    const selective = check((p) => {
      p.daemonsets[0].spec!.template.spec!.nodeSelector = { role: 'edge' };
    });
    expect(messages(selective)).toContain('DaemonSet kube-system/agent has pod kube-system/agent-node-1 on node-1, a node it must not run on (selector or taints).');
  });

  it('Job problems are caught: active pods after completion, completions reached but not marked, too few workers', () => {
    const afterDone = check((p) => {
      const done = p.jobs[0];
      p.pods.push(pod('done-2', { owner: done, node: 'node-3', labels: { 'job-name': 'done' } }));
    });
    expect(messages(afterDone)).toContain('Job default/done is Complete but still has 1 active pods: done-2.');

    const unmarked = check((p) => {
      p.jobs[0].status = { succeeded: 2 };
    });
    expect(messages(unmarked)).toContain('Job default/done has 2 succeeded pods of 2 completions but is not marked Complete.');

    const short = check((p) => {
      p.pods = p.pods.filter((x) => x.metadata!.name !== 'worker-1');
    });
    expect(messages(short)).toContain('Job default/worker has 1 active pods, wants 2 (worker-0).');
  });
});

describe('planted bugs in the data path', () => {
  it('an unready pod published as a ready endpoint is caught in Endpoints and EndpointSlices', () => {
    const vs = check((p) => {
      p.pods[0].status!.conditions = [{ type: 'Ready', status: 'False' }];
      // The planted endpoints controller ignores readiness: publish from a copy that still says Ready.
    });
    const name = p0().pods[0].metadata!.name;
    expect(vs.some((v) => v.object === 'Service default/web' && v.property === 'service-endpoints' && v.message.includes('lists not-ready endpoints as ready') && v.message.includes(`pod default/${name}`))).toBe(true);
    expect(vs.some((v) => v.property === 'service-endpointslices' && v.message.includes('lists not-ready endpoints as ready'))).toBe(true);
  });

  it('a deleted pod kept in Endpoints is caught', () => {
    const vs = check((p) => {
      p.pods.splice(0, 1);
      p.replicasets[0].spec!.replicas = 2;
      p.replicasets[0].status = { observedGeneration: 1, replicas: 2, readyReplicas: 2, availableReplicas: 2 };
      p.deployments[0].spec!.replicas = 2;
      p.deployments[0].status = { observedGeneration: 2, replicas: 2, updatedReplicas: 2, readyReplicas: 2, availableReplicas: 2 };
      // Endpoints and slices still list the pod; rules are refreshed from those slices.
    });
    expect(vs.some((v) => v.message.includes('its Endpoints lists ready endpoints that no selected pod has'))).toBe(true);
    expect(vs.some((v) => v.message.includes('its EndpointSlices lists ready endpoints that no selected pod has'))).toBe(true);
  });

  it('stale kube-proxy rules on a live node are caught (a kube-proxy that never removes an endpoint)', () => {
    const vs = check((p) => {
      const staleRules = { ...p.rules };
      p.pods.splice(0, 1);
      p.replicasets[0].spec!.replicas = 2;
      p.replicasets[0].status = { observedGeneration: 1, replicas: 2, readyReplicas: 2, availableReplicas: 2 };
      p.deployments[0].spec!.replicas = 2;
      p.deployments[0].status = { observedGeneration: 2, replicas: 2, updatedReplicas: 2, readyReplicas: 2, availableReplicas: 2 };
      republish(p);
      p.rules['node-2'] = staleRules['node-2'];
    });
    expect(vs).toHaveLength(1);
    expect(vs[0]).toMatchObject({ property: 'kube-proxy-rules', object: 'Node node-2' });
    expect(vs[0].message).toMatch(/^Node node-2 has stale kube-proxy rules: default\/web:web rules lead to \[.*\], endpoints are \[.*\]\.$/);
  });

  it('a live node whose kube-proxy never wrote rules is caught; a node without kube-proxy is not checked', () => {
    const never = check((p) => {
      p.rules['node-3'] = undefined;
    });
    expect(messages(never)).toEqual(['Node node-3 is up but its kube-proxy has never written any rules.']);
    const without = check((p) => {
      delete p.rules['node-3'];
    });
    expect(without).toEqual([]);
  });

  it('a down node’s stale rules are not judged (only live nodes must agree)', () => {
    const vs = check((p) => {
      p.rules['node-3'] = rulesFor('node-3', [], []);
      p.liveNodes = ['node-1', 'node-2'];
      p.nodes[2] = node('node-3', { ready: 'Unknown', taints: [{ key: 'node.kubernetes.io/unreachable', effect: 'NoExecute' }, { key: 'node.kubernetes.io/unreachable', effect: 'NoSchedule' }] });
    });
    expect(vs.some((v) => v.property === 'kube-proxy-rules')).toBe(false);
  });
});

describe('planted bugs in node handling', () => {
  it('a pod bound to a node that is gone is caught', () => {
    const vs = check((p) => {
      p.nodes = p.nodes.filter((n) => n.metadata!.name !== 'node-3');
      p.liveNodes = ['node-1', 'node-2'];
      delete p.rules['node-3'];
    });
    const onGone = p0().pods.filter((x) => x.spec?.nodeName === 'node-3' && x.status?.phase === 'Running').map((x) => x.metadata!.name);
    for (const name of onGone) expect(messages(vs).some((m) => m.startsWith(`pod `) && m.includes(`/${name} is bound to node-3, which has no Node object.`))).toBe(true);
  });

  it('a down node that is not tainted, and pods not evicted from it, are caught; daemon pods may stay', () => {
    const vs = check((p) => {
      p.liveNodes = ['node-1', 'node-2'];
    });
    expect(messages(vs)).toContain('Node node-3 is down but its Ready condition is still True.');
    expect(messages(vs)).toContain('Node node-3 is down but has no unreachable or not-ready NoExecute taint.');
    const web3 = p0().pods[2].metadata!.name;
    expect(messages(vs)).toContain(`pod default/${web3} is still active on node-3, which is down; it should have been evicted.`);
    expect(messages(vs).some((m) => m.includes('agent-node-3 is still active'))).toBe(false);
  });

  it('a node that came back but is still tainted is caught', () => {
    const vs = check((p) => {
      p.nodes[0] = node('node-1', { taints: [{ key: 'node.kubernetes.io/unreachable', effect: 'NoExecute' }] });
    });
    expect(messages(vs)).toContain('Node node-1 is up but still tainted node.kubernetes.io/unreachable:NoExecute.');
  });

  it('a pod stuck terminating on a live node is caught', () => {
    const vs = check((p) => {
      p.pods[0].metadata!.deletionTimestamp = '2024-01-01T00:00:00Z';
      p.pods.push(...deploymentWithPods('web', 1, ['node-1']).pods.map((x) => ({ ...x, metadata: { ...x.metadata, name: 'web-new', uid: 'uid-new', ownerReferences: p.pods[1].metadata!.ownerReferences } })));
      republish(p);
    });
    expect(vs.some((v) => v.property === 'stuck-deletion' && v.message.includes('is still terminating on node-1'))).toBe(true);
  });
});

// A pristine copy, for names computed by the fixture.
function p0(): ClusterParts {
  return convergedParts();
}
void NODES;
