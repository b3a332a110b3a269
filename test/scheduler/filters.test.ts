import { describe, expect, it } from 'vitest';
import type { Pod } from 'kubernetes-types/core/v1.js';
import { buildSnapshot, filterNode, type SnapshotInput } from '../../src/scheduler/index.ts';
import { filters } from '../../src/scheduler/index.ts';
import type { FilterPlugin } from '../../src/scheduler/types.ts';
import { boundTo, makeNode, makePod } from './builders.ts';

/** Runs one plugin (PreFilter then Filter) for one node; returns the reasons or 'ok'. */
function run(plugin: FilterPlugin, pod: Pod, input: SnapshotInput, nodeName: string) {
  const status = filterNode(pod, buildSnapshot(input), nodeName, [plugin]);
  return status === undefined ? 'ok' : { reasons: status.reasons, unresolvable: status.unresolvable };
}

describe('NodeUnschedulable', () => {
  const cordoned = makeNode('n1', { unschedulable: true });
  it('rejects a cordoned node, unresolvably', () => {
    expect(run(filters.nodeUnschedulablePlugin, makePod('p'), { nodes: [cordoned] }, 'n1')).toEqual({
      reasons: ['node(s) were unschedulable'],
      unresolvable: true,
    });
  });
  it('passes a schedulable node', () => {
    expect(run(filters.nodeUnschedulablePlugin, makePod('p'), { nodes: [makeNode('n1')] }, 'n1')).toBe('ok');
  });
  it('admits pods tolerating node.kubernetes.io/unschedulable:NoSchedule (Exists or Equal "")', () => {
    const exists = makePod('p', { tolerations: [{ key: 'node.kubernetes.io/unschedulable', operator: 'Exists', effect: 'NoSchedule' }] });
    const equal = makePod('q', { tolerations: [{ key: 'node.kubernetes.io/unschedulable', effect: 'NoSchedule' }] });
    const wrongEffect = makePod('r', { tolerations: [{ key: 'node.kubernetes.io/unschedulable', operator: 'Exists', effect: 'NoExecute' }] });
    expect(run(filters.nodeUnschedulablePlugin, exists, { nodes: [cordoned] }, 'n1')).toBe('ok');
    expect(run(filters.nodeUnschedulablePlugin, equal, { nodes: [cordoned] }, 'n1')).toBe('ok');
    expect(run(filters.nodeUnschedulablePlugin, wrongEffect, { nodes: [cordoned] }, 'n1')).not.toBe('ok');
  });
});

describe('NodeName', () => {
  const input = { nodes: [makeNode('n1'), makeNode('n2')] };
  it('only the named node fits', () => {
    const pod = makePod('p', { nodeName: 'n2' });
    expect(run(filters.nodeNamePlugin, pod, input, 'n2')).toBe('ok');
    expect(run(filters.nodeNamePlugin, pod, input, 'n1')).toEqual({ reasons: ["node(s) didn't match the requested node name"], unresolvable: true });
  });
  it('any node fits a pod without nodeName', () => {
    expect(run(filters.nodeNamePlugin, makePod('p'), input, 'n1')).toBe('ok');
  });
});

describe('NodeResourcesFit', () => {
  const node = makeNode('n1', { cpu: '2', memory: '4Gi', pods: '3' });
  it('passes when requests fit next to the pods already there', () => {
    const existing = boundTo(makePod('e', { cpu: '1', memory: '2Gi' }), 'n1');
    expect(run(filters.nodeResourcesFitPlugin, makePod('p', { cpu: '1', memory: '2Gi' }), { nodes: [node], pods: [existing] }, 'n1')).toBe('ok');
  });
  it('Insufficient cpu', () => {
    expect(run(filters.nodeResourcesFitPlugin, makePod('p', { cpu: '2001m' }), { nodes: [node] }, 'n1')).toEqual({
      reasons: ['Insufficient cpu'],
      unresolvable: false,
    });
  });
  it('Insufficient memory, counting bound pods', () => {
    const existing = boundTo(makePod('e', { memory: '3Gi' }), 'n1');
    expect(run(filters.nodeResourcesFitPlugin, makePod('p', { memory: '1025Mi' }), { nodes: [node], pods: [existing] }, 'n1')).toEqual({
      reasons: ['Insufficient memory'],
      unresolvable: false,
    });
  });
  it('reports every shortfall, pods first', () => {
    const full = ['a', 'b', 'c'].map((n) => boundTo(makePod(n), 'n1'));
    expect(run(filters.nodeResourcesFitPlugin, makePod('p', { cpu: '3', memory: '5Gi' }), { nodes: [node], pods: full }, 'n1')).toEqual({
      reasons: ['Too many pods', 'Insufficient cpu', 'Insufficient memory'],
      unresolvable: false,
    });
  });
  it('Too many pods even for a pod without requests', () => {
    const full = ['a', 'b', 'c'].map((n) => boundTo(makePod(n), 'n1'));
    expect(run(filters.nodeResourcesFitPlugin, makePod('p'), { nodes: [node], pods: full }, 'n1')).toEqual({ reasons: ['Too many pods'], unresolvable: false });
  });
  it('a container without requests counts 0 for fit (no 100m default)', () => {
    const existing = boundTo(makePod('e', { cpu: '2', memory: '4Gi' }), 'n1');
    expect(run(filters.nodeResourcesFitPlugin, makePod('p'), { nodes: [node], pods: [existing] }, 'n1')).toBe('ok');
  });
  it('init containers count as their max against the sum of app containers; overhead adds', () => {
    const pod = makePod('p', { cpu: '500m' });
    pod.spec!.initContainers = [{ name: 'init', image: 'busybox', resources: { requests: { cpu: '1500m' } } }];
    expect(run(filters.nodeResourcesFitPlugin, pod, { nodes: [makeNode('n1', { cpu: '1500m' })] }, 'n1')).toBe('ok');
    pod.spec!.overhead = { cpu: '1m' };
    expect(run(filters.nodeResourcesFitPlugin, pod, { nodes: [makeNode('n1', { cpu: '1500m' })] }, 'n1')).toEqual({
      reasons: ['Insufficient cpu'],
      unresolvable: false,
    });
  });
  it('terminal pods do not hold resources', () => {
    const done: Pod = { ...boundTo(makePod('e', { cpu: '2' }), 'n1'), status: { phase: 'Succeeded' } };
    expect(run(filters.nodeResourcesFitPlugin, makePod('p', { cpu: '2' }), { nodes: [node], pods: [done] }, 'n1')).toBe('ok');
  });
});

describe('NodePorts', () => {
  const node = makeNode('n1');
  const holder = boundTo(makePod('e', { ports: [{ containerPort: 80, hostPort: 8080 }] }), 'n1');
  const reason = { reasons: ["node(s) didn't have free ports for the requested pod ports"], unresolvable: false };
  it('rejects the same host port and protocol', () => {
    expect(run(filters.nodePortsPlugin, makePod('p', { ports: [{ containerPort: 8080, hostPort: 8080 }] }), { nodes: [node], pods: [holder] }, 'n1')).toEqual(reason);
  });
  it('another protocol or port is free', () => {
    const udp = makePod('p', { ports: [{ containerPort: 8080, hostPort: 8080, protocol: 'UDP' }] });
    const other = makePod('q', { ports: [{ containerPort: 8080, hostPort: 8081 }] });
    expect(run(filters.nodePortsPlugin, udp, { nodes: [node], pods: [holder] }, 'n1')).toBe('ok');
    expect(run(filters.nodePortsPlugin, other, { nodes: [node], pods: [holder] }, 'n1')).toBe('ok');
  });
  it('specific IPs only conflict with the same IP or 0.0.0.0', () => {
    const onIp = boundTo(makePod('e', { ports: [{ containerPort: 80, hostPort: 9000, hostIP: '10.0.0.1' }] }), 'n1');
    const sameIp = makePod('p', { ports: [{ containerPort: 80, hostPort: 9000, hostIP: '10.0.0.1' }] });
    const otherIp = makePod('q', { ports: [{ containerPort: 80, hostPort: 9000, hostIP: '10.0.0.2' }] });
    const anyIp = makePod('r', { ports: [{ containerPort: 80, hostPort: 9000 }] });
    expect(run(filters.nodePortsPlugin, sameIp, { nodes: [node], pods: [onIp] }, 'n1')).toEqual(reason);
    expect(run(filters.nodePortsPlugin, otherIp, { nodes: [node], pods: [onIp] }, 'n1')).toBe('ok');
    expect(run(filters.nodePortsPlugin, anyIp, { nodes: [node], pods: [onIp] }, 'n1')).toEqual(reason);
  });
  it('containerPort without hostPort never conflicts', () => {
    expect(run(filters.nodePortsPlugin, makePod('p', { ports: [{ containerPort: 8080 }] }), { nodes: [node], pods: [holder] }, 'n1')).toBe('ok');
  });
});

describe('TaintToleration (filter)', () => {
  const cp = makeNode('cp', { taints: [{ key: 'node-role.kubernetes.io/control-plane', effect: 'NoSchedule' }] });
  it('names the first untolerated NoSchedule taint as {key: value}', () => {
    expect(run(filters.taintTolerationFilterPlugin, makePod('p'), { nodes: [cp] }, 'cp')).toEqual({
      reasons: ['node(s) had untolerated taint {node-role.kubernetes.io/control-plane: }'],
      unresolvable: true,
    });
  });
  it('NoExecute must be tolerated too; PreferNoSchedule need not', () => {
    const node = makeNode('n', {
      taints: [
        { key: 'soft', value: 'x', effect: 'PreferNoSchedule' },
        { key: 'dedicated', value: 'gpu', effect: 'NoExecute' },
      ],
    });
    expect(run(filters.taintTolerationFilterPlugin, makePod('p'), { nodes: [node] }, 'n')).toEqual({
      reasons: ['node(s) had untolerated taint {dedicated: gpu}'],
      unresolvable: true,
    });
    const tolerant = makePod('q', { tolerations: [{ key: 'dedicated', operator: 'Equal', value: 'gpu', effect: 'NoExecute' }] });
    expect(run(filters.taintTolerationFilterPlugin, tolerant, { nodes: [node] }, 'n')).toBe('ok');
  });
  it('value mismatch does not tolerate; an empty-key Exists toleration tolerates everything', () => {
    const node = makeNode('n', { taints: [{ key: 'dedicated', value: 'gpu', effect: 'NoSchedule' }] });
    expect(run(filters.taintTolerationFilterPlugin, makePod('p', { tolerations: [{ key: 'dedicated', value: 'cpu' }] }), { nodes: [node] }, 'n')).not.toBe('ok');
    expect(run(filters.taintTolerationFilterPlugin, makePod('q', { tolerations: [{ operator: 'Exists' }] }), { nodes: [node] }, 'n')).toBe('ok');
  });
});

describe('NodeAffinity', () => {
  const ssd = makeNode('ssd', { labels: { disk: 'ssd', gen: '5' } });
  const hdd = makeNode('hdd', { labels: { disk: 'hdd', gen: '3' } });
  const input = { nodes: [ssd, hdd] };
  const reason = { reasons: ["node(s) didn't match Pod's node affinity/selector"], unresolvable: true };
  it('nodeSelector must match every label', () => {
    const pod = makePod('p', { nodeSelector: { disk: 'ssd' } });
    expect(run(filters.nodeAffinityFilterPlugin, pod, input, 'ssd')).toBe('ok');
    expect(run(filters.nodeAffinityFilterPlugin, pod, input, 'hdd')).toEqual(reason);
  });
  it('required terms are ORed, expressions ANDed, Gt compares integers', () => {
    const pod = makePod('p', {
      affinity: {
        nodeAffinity: {
          requiredDuringSchedulingIgnoredDuringExecution: {
            nodeSelectorTerms: [
              { matchExpressions: [{ key: 'disk', operator: 'In', values: ['nvme'] }] },
              { matchExpressions: [{ key: 'gen', operator: 'Gt', values: ['4'] }, { key: 'disk', operator: 'Exists' }] },
            ],
          },
        },
      },
    });
    expect(run(filters.nodeAffinityFilterPlugin, pod, input, 'ssd')).toBe('ok');
    expect(run(filters.nodeAffinityFilterPlugin, pod, input, 'hdd')).toEqual(reason);
  });
  it('NotIn and DoesNotExist match nodes without the label', () => {
    const pod = makePod('p', {
      affinity: {
        nodeAffinity: {
          requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [{ matchExpressions: [{ key: 'gpu', operator: 'DoesNotExist' }] }] },
        },
      },
    });
    expect(run(filters.nodeAffinityFilterPlugin, pod, input, 'hdd')).toBe('ok');
  });
  it('matchFields metadata.name narrows the candidates in PreFilter', () => {
    const pod = makePod('p', {
      affinity: {
        nodeAffinity: {
          requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [{ matchFields: [{ key: 'metadata.name', operator: 'In', values: ['hdd'] }] }] },
        },
      },
    });
    expect(run(filters.nodeAffinityFilterPlugin, pod, input, 'hdd')).toBe('ok');
    expect(run(filters.nodeAffinityFilterPlugin, pod, input, 'ssd')).toEqual({ reasons: ['node is filtered out by the prefilter result'], unresolvable: true });
  });
  it('conflicting name pins reject the pod in PreFilter', () => {
    const pod = makePod('p', {
      affinity: {
        nodeAffinity: {
          requiredDuringSchedulingIgnoredDuringExecution: {
            nodeSelectorTerms: [
              {
                matchFields: [
                  { key: 'metadata.name', operator: 'In', values: ['ssd'] },
                  { key: 'metadata.name', operator: 'In', values: ['hdd'] },
                ],
              },
            ],
          },
        },
      },
    });
    expect(run(filters.nodeAffinityFilterPlugin, pod, input, 'ssd')).toEqual({ reasons: ['pod affinity terms conflict'], unresolvable: true });
  });
});

describe('InterPodAffinity (filter)', () => {
  const zoneA1 = makeNode('a1', { labels: { zone: 'a' } });
  const zoneA2 = makeNode('a2', { labels: { zone: 'a' } });
  const zoneB = makeNode('b1', { labels: { zone: 'b' } });
  const nodes = [zoneA1, zoneA2, zoneB];
  const db = boundTo(makePod('db', { labels: { app: 'db' } }), 'a1');
  const term = { labelSelector: { matchLabels: { app: 'db' } }, topologyKey: 'zone' };

  it('required affinity: any node in a domain holding a matching pod', () => {
    const pod = makePod('web', { affinity: { podAffinity: { requiredDuringSchedulingIgnoredDuringExecution: [term] } } });
    expect(run(filters.interPodAffinityFilterPlugin, pod, { nodes, pods: [db] }, 'a2')).toBe('ok');
    expect(run(filters.interPodAffinityFilterPlugin, pod, { nodes, pods: [db] }, 'b1')).toEqual({
      reasons: ["node(s) didn't match pod affinity rules"],
      unresolvable: true,
    });
  });
  it('required affinity ignores other namespaces unless listed', () => {
    const pod = makePod('web', { namespace: 'shop', affinity: { podAffinity: { requiredDuringSchedulingIgnoredDuringExecution: [term] } } });
    expect(run(filters.interPodAffinityFilterPlugin, pod, { nodes, pods: [db] }, 'a2')).not.toBe('ok');
    const listed = makePod('web2', {
      namespace: 'shop',
      affinity: { podAffinity: { requiredDuringSchedulingIgnoredDuringExecution: [{ ...term, namespaces: ['default'] }] } },
    });
    expect(run(filters.interPodAffinityFilterPlugin, listed, { nodes, pods: [db] }, 'a2')).toBe('ok');
  });
  it('the first pod of a self-affine group may go anywhere with the topology key', () => {
    const first = makePod('db-0', { labels: { app: 'db' }, affinity: { podAffinity: { requiredDuringSchedulingIgnoredDuringExecution: [term] } } });
    expect(run(filters.interPodAffinityFilterPlugin, first, { nodes }, 'b1')).toBe('ok');
  });
  it('required anti-affinity: no matching pod in the domain', () => {
    const pod = makePod('db-1', { labels: { app: 'db' }, affinity: { podAntiAffinity: { requiredDuringSchedulingIgnoredDuringExecution: [term] } } });
    expect(run(filters.interPodAffinityFilterPlugin, pod, { nodes, pods: [db] }, 'a2')).toEqual({
      reasons: ["node(s) didn't match pod anti-affinity rules"],
      unresolvable: false,
    });
    expect(run(filters.interPodAffinityFilterPlugin, pod, { nodes, pods: [db] }, 'b1')).toBe('ok');
  });
  it("existing pods' anti-affinity keeps matching newcomers out of their domain", () => {
    const loner = boundTo(
      makePod('loner', { affinity: { podAntiAffinity: { requiredDuringSchedulingIgnoredDuringExecution: [{ labelSelector: { matchLabels: { app: 'web' } }, topologyKey: 'zone' }] } } }),
      'a1',
    );
    const web = makePod('web', { labels: { app: 'web' } });
    expect(run(filters.interPodAffinityFilterPlugin, web, { nodes, pods: [loner] }, 'a2')).toEqual({
      reasons: ["node(s) didn't satisfy existing pods anti-affinity rules"],
      unresolvable: false,
    });
    expect(run(filters.interPodAffinityFilterPlugin, web, { nodes, pods: [loner] }, 'b1')).toBe('ok');
  });
});

describe('PodTopologySpread (filter)', () => {
  const nodes = ['a', 'b', 'c'].map((z) => makeNode(`n-${z}`, { labels: { zone: z } }));
  const web = (name: string, node: string) => boundTo(makePod(name, { labels: { app: 'web' } }), node);
  const spread = (maxSkew: number, extra: Record<string, unknown> = {}) =>
    makePod('new', {
      labels: { app: 'web' },
      topologySpreadConstraints: [{ maxSkew, topologyKey: 'zone', whenUnsatisfiable: 'DoNotSchedule', labelSelector: { matchLabels: { app: 'web' } }, ...extra }],
    });
  const pods = [web('w1', 'n-a'), web('w2', 'n-a'), web('w3', 'n-b'), web('w4', 'n-b'), web('w5', 'n-c')];

  it('only the least-loaded zone keeps skew within maxSkew 1', () => {
    expect(run(filters.podTopologySpreadFilterPlugin, spread(1), { nodes, pods }, 'n-c')).toBe('ok');
    expect(run(filters.podTopologySpreadFilterPlugin, spread(1), { nodes, pods }, 'n-a')).toEqual({
      reasons: ["node(s) didn't match pod topology spread constraints"],
      unresolvable: false,
    });
  });
  it('maxSkew 2 admits every zone', () => {
    expect(run(filters.podTopologySpreadFilterPlugin, spread(2), { nodes, pods }, 'n-a')).toBe('ok');
  });
  it('a node without the topology key is unresolvable', () => {
    const bare = makeNode('bare');
    expect(run(filters.podTopologySpreadFilterPlugin, spread(1), { nodes: [...nodes, bare], pods }, 'bare')).toEqual({
      reasons: ["node(s) didn't match pod topology spread constraints (missing required label)"],
      unresolvable: true,
    });
  });
  it('minDomains above the domain count makes the global minimum 0', () => {
    const twoPods = [web('w1', 'n-a')];
    expect(run(filters.podTopologySpreadFilterPlugin, spread(1, { minDomains: 4 }), { nodes, pods: twoPods }, 'n-a')).not.toBe('ok');
    expect(run(filters.podTopologySpreadFilterPlugin, spread(1, { minDomains: 4 }), { nodes, pods: twoPods }, 'n-b')).toBe('ok');
  });
  it('ScheduleAnyway constraints do not filter', () => {
    const soft = makePod('new', {
      labels: { app: 'web' },
      topologySpreadConstraints: [{ maxSkew: 1, topologyKey: 'zone', whenUnsatisfiable: 'ScheduleAnyway', labelSelector: { matchLabels: { app: 'web' } } }],
    });
    expect(run(filters.podTopologySpreadFilterPlugin, soft, { nodes, pods }, 'n-a')).toBe('ok');
  });
});
