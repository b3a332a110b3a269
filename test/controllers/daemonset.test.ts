import { describe, expect, it } from 'vitest';
import type { DaemonSet } from 'kubernetes-types/apps/v1.js';
import type { Pod } from 'kubernetes-types/core/v1.js';
import { targetNodeName } from '../../machines/controller-manager/daemonset/util.ts';
import { Cluster } from './harness.ts';
import { Kubelets } from './nodes.ts';

function daemonSet(name: string, spec: Partial<DaemonSet['spec']> = {}): DaemonSet {
  const labels = { app: name };
  return {
    apiVersion: 'apps/v1', kind: 'DaemonSet', metadata: { name, namespace: 'kube-system' },
    spec: { selector: { matchLabels: labels }, template: { metadata: { labels }, spec: { containers: [{ name: 'agent', image: 'agent:1' }] } }, ...spec } as DaemonSet['spec'],
  };
}

function start(nodes = ['node-1', 'node-2', 'node-3']) {
  const c = new Cluster({ kcm: { controllers: ['daemonset'] } });
  const k = new Kubelets(c);
  for (const n of nodes) k.register(n);
  c.run(200);
  return { c, k };
}

const dsOf = (c: Cluster, name = 'agent') => c.objects<DaemonSet>('daemonsets').find((d) => d.metadata?.name === name)!;
const podsOf = (c: Cluster, name = 'agent') => c.pods().filter((p) => p.metadata?.labels?.app === name);
const byNode = (c: Cluster) => podsOf(c).map((p) => targetNodeName(p)).sort();
/** The scheduler binds each daemon pod where its affinity says; its kubelet reports it ready. */
const readyAll = (c: Cluster) => {
  for (const p of podsOf(c)) if (!c.isReady(p)) c.markReady(p, targetNodeName(p));
};

describe('daemonset controller', () => {
  it('creates one pod per eligible node, pinned by node affinity, with the daemon tolerations', () => {
    const { c, k } = start();
    k.register('node-4', { taints: [{ key: 'dedicated', value: 'db', effect: 'NoSchedule' }] });
    c.run(100);
    c.apply(daemonSet('agent'), 'daemonsets');
    c.run(1_000);
    expect(byNode(c)).toEqual(['node-1', 'node-2', 'node-3']);
    const pod = podsOf(c).find((p) => targetNodeName(p) === 'node-1')!;
    expect(pod.metadata?.generateName).toBe('agent-');
    expect(pod.spec?.nodeName).toBeUndefined();
    expect(pod.spec?.affinity).toEqual({ nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [{ matchFields: [{ key: 'metadata.name', operator: 'In', values: ['node-1'] }] }] } } });
    expect(pod.spec?.tolerations?.map((t) => `${t.key}:${t.effect}`)).toEqual([
      'node.kubernetes.io/not-ready:NoExecute', 'node.kubernetes.io/unreachable:NoExecute', 'node.kubernetes.io/disk-pressure:NoSchedule',
      'node.kubernetes.io/memory-pressure:NoSchedule', 'node.kubernetes.io/pid-pressure:NoSchedule', 'node.kubernetes.io/unschedulable:NoSchedule',
    ]);
    expect(pod.spec?.tolerations?.every((t) => t.operator === 'Exists' && t.tolerationSeconds === undefined)).toBe(true);
    expect(pod.metadata?.labels).toMatchObject({ app: 'agent', 'pod-template-generation': '1' });
    expect(pod.metadata?.labels?.['controller-revision-hash']).toMatch(/^[a-z0-9]+$/);
    expect(dsOf(c).status).toMatchObject({ desiredNumberScheduled: 3, currentNumberScheduled: 3, numberMisscheduled: 0, numberReady: 0, updatedNumberScheduled: 3, numberUnavailable: 3 });
    readyAll(c);
    c.run(1_000);
    expect(dsOf(c).status).toMatchObject({ numberReady: 3, numberAvailable: 3, observedGeneration: 1 });
    expect(dsOf(c).status?.numberUnavailable).toBeUndefined();
    expect(c.events('daemonset-controller').map((e) => e.reason)).toEqual(['SuccessfulCreate', 'SuccessfulCreate', 'SuccessfulCreate']);
  });

  it('follows nodes: a new node gets a pod, a node with an untolerated NoExecute taint loses it, a NotReady one keeps it', () => {
    const { c, k } = start();
    c.apply(daemonSet('agent'), 'daemonsets');
    c.run(1_000);
    readyAll(c);
    k.register('node-4');
    c.run(1_000);
    expect(byNode(c)).toEqual(['node-1', 'node-2', 'node-3', 'node-4']);
    const node2 = k.node('node-2');
    c.apply({ ...node2, spec: { ...node2.spec, taints: [{ key: 'node.kubernetes.io/unreachable', effect: 'NoExecute' }] } }, 'nodes');
    const node3 = k.node('node-3');
    c.apply({ ...node3, spec: { ...node3.spec, taints: [{ key: 'maintenance', effect: 'NoExecute' }] } }, 'nodes');
    c.run(1_000);
    expect(byNode(c)).toEqual(['node-1', 'node-2', 'node-4']);
    expect(dsOf(c).status).toMatchObject({ desiredNumberScheduled: 3, currentNumberScheduled: 3, numberMisscheduled: 0 });
  });

  it('honours the nodeSelector', () => {
    const { c, k } = start();
    k.register('gpu-1', { labels: { accelerator: 'gpu' } });
    c.apply(daemonSet('agent', { template: { metadata: { labels: { app: 'agent' } }, spec: { nodeSelector: { accelerator: 'gpu' }, containers: [{ name: 'a', image: 'a:1' }] } } }), 'daemonsets');
    c.run(1_000);
    expect(byNode(c)).toEqual(['gpu-1']);
  });

  it('rolls out a new template one node at a time (maxUnavailable 1)', () => {
    const { c } = start();
    c.apply(daemonSet('agent'), 'daemonsets');
    c.run(1_000);
    readyAll(c);
    c.run(1_000);
    const ds = dsOf(c);
    c.apply({ ...ds, spec: { ...ds.spec!, template: { ...ds.spec!.template, spec: { containers: [{ name: 'agent', image: 'agent:2' }] } } } }, 'daemonsets');
    let mostUnavailable = 0;
    c.until(() => {
      const pods = podsOf(c).filter((p) => !p.metadata?.deletionTimestamp);
      const available = pods.filter((p) => c.isReady(p)).length;
      mostUnavailable = Math.max(mostUnavailable, 3 - available);
      readyAll(c);
      return pods.length === 3 && pods.every((p) => p.spec?.containers[0].image === 'agent:2' && c.isReady(p));
    }, 30_000, 'rollout');
    expect(mostUnavailable).toBe(1);
    c.run(1_000);
    expect(dsOf(c).status).toMatchObject({ updatedNumberScheduled: 3, numberAvailable: 3 });
  });

  it('replaces a failed daemon pod (FailedDaemonPod)', () => {
    const { c } = start(['node-1']);
    c.apply(daemonSet('agent'), 'daemonsets');
    c.run(1_000);
    const [pod] = podsOf(c);
    c.fake.send({ type: 'fake.put', resource: 'pods', subresource: 'status', object: { ...pod, status: { phase: 'Failed' } } as Pod });
    c.run(2_000);
    expect(podsOf(c)).toHaveLength(1);
    expect(podsOf(c)[0].metadata?.name).not.toBe(pod.metadata?.name);
    expect(c.events('daemonset-controller').map((e) => e.message)).toContain(`Found failed daemon pod kube-system/${pod.metadata?.name} on node node-1, will try to kill it`);
  });
});
