import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { InputError, buildCluster, resolveClusterSpec } from '../../src/cluster/index.ts';
import { numRuns } from '../fc.ts';

describe('cluster spec', () => {
  it('defaults to a kubeadm-like cluster: 3 etcd members, 1 apiserver, 3 nodes of 4 CPU / 8Gi / 110 pods', () => {
    const spec = resolveClusterSpec({});
    expect(spec.etcdMembers).toBe(3);
    expect(spec.apiservers).toBe(1);
    expect(spec.nodes.map((n) => n.name)).toEqual(['node-1', 'node-2', 'node-3']);
    expect(spec.nodes[0].capacity).toEqual({ cpu: '4', memory: '8Gi', pods: '110', 'ephemeral-storage': '100Gi' });
  });

  it('takes node lists (names default to node-i) and pools, taints as objects or kubectl strings', () => {
    const spec = resolveClusterSpec({
      nodes: [{ capacity: { cpu: 8 } }, { name: 'gpu-1', labels: { gpu: 'true' }, taints: ['nvidia.com/gpu=present:NoSchedule', { key: 'x', effect: 'NoExecute' }] }],
    });
    expect(spec.nodes.map((n) => n.name)).toEqual(['node-1', 'gpu-1']);
    expect(spec.nodes[0].capacity?.cpu).toBe('8');
    expect(spec.nodes[1].taints).toEqual([{ key: 'nvidia.com/gpu', value: 'present', effect: 'NoSchedule' }, { key: 'x', effect: 'NoExecute' }]);
    expect(resolveClusterSpec({ nodes: { count: 5, labels: { zone: 'a' } } }).nodes.map((n) => n.labels)).toEqual(Array(5).fill({ zone: 'a' }));
    expect(resolveClusterSpec({ network: { latency: '1-3ms', drop: 0.01 } }).network).toEqual({ latency: { kind: 'uniform', minMs: 1, maxMs: 3 }, drop: 0.01 });
  });

  it('rejects bad input with the field and the problem', () => {
    const problem = (spec: unknown) => {
      try {
        buildCluster(spec);
      } catch (error) {
        expect(error).toBeInstanceOf(InputError);
        return (error as Error).message;
      }
      return 'accepted';
    };
    expect(problem({ apiservers: 0 })).toBe('cluster.apiservers: must be between 1 and 9, got 0');
    expect(problem({ nodes: { capacity: { cpu: '4' } } })).toBe('cluster.nodes.count: required: how many nodes (or give a list of nodes)');
    expect(problem({ nodes: [{ name: 'Node_1' }] })).toMatch(/^cluster\.nodes\[0\]\.name: "Node_1" is not a valid node name: /);
    expect(problem({ nodes: [{ labels: { 'bad key!': 'x' } }] })).toMatch(/^cluster\.nodes\[0\]\.labels\.bad key!: invalid label key/);
    expect(problem({ nodes: [{ capacity: { memory: '-1Gi' } }] })).toBe('cluster.nodes[0].capacity.memory: must be positive, got "-1Gi"');
    expect(problem({ network: { latency: 'fast' } })).toBe('cluster.network.latency: "fast" is not a latency; write e.g. "2ms" or "1-3ms"');
    expect(problem({ network: { drop: 2 } })).toBe('cluster.network.drop: must be between 0 and 1, got 2');
    expect(problem('three nodes')).toBe('cluster: must be a mapping, got "three nodes"');
  });

  it('never crashes on arbitrary input: an InputError or a spec', () => {
    const keys = fc.constantFrom('etcd', 'apiservers', 'nodes', 'registry', 'network', 'components', 'members', 'count', 'capacity', 'labels', 'taints', 'name', 'cpu', 'memory', 'latency', 'images');
    const value = fc.letrec((tie) => ({
      any: fc.oneof({ depthSize: 'small' }, fc.jsonValue({ maxDepth: 1 }), tie('obj'), fc.array(tie('any'), { maxLength: 3 })),
      obj: fc.dictionary(keys, tie('any'), { maxKeys: 4 }),
    })).obj;
    fc.assert(fc.property(value, (spec) => {
      try {
        resolveClusterSpec(spec);
      } catch (error) {
        if (!(error instanceof InputError)) throw error;
      }
    }), { numRuns: numRuns(500) });
  });
});

describe('node addresses', () => {
  it('follow the convention, and go on past 254 nodes', async () => {
    const { nodeNetwork } = await import('../../src/cluster/spec.ts');
    expect(nodeNetwork(1)).toEqual({ podCIDR: '10.244.1.0/24', hostIP: '172.18.0.2' });
    expect(nodeNetwork(254)).toEqual({ podCIDR: '10.244.254.0/24', hostIP: '172.18.0.255' });
    expect(nodeNetwork(256)).toEqual({ podCIDR: '10.245.0.0/24', hostIP: '172.18.1.1' });
    const cidrs = new Set(Array.from({ length: 5000 }, (_, i) => nodeNetwork(i + 1).podCIDR));
    expect(cidrs.size).toBe(5000);
  });
});

describe('pointing control-plane components at an apiserver', () => {
  it('takes a known apiserver and rejects an unknown one with its path', () => {
    const ok = resolveClusterSpec({ apiservers: 2, components: { controllerManager: { apiserver: 'apiserver-1' }, scheduler: { apiserver: 'apiserver-1' } } });
    expect(ok.components.controllerManager?.apiserver).toBe('apiserver-1');
    expect(() => resolveClusterSpec({ apiservers: 2, components: { scheduler: { apiserver: 'apiserver-2' } } }))
      .toThrow(/components\.scheduler\.apiserver: must be one of apiserver-0, apiserver-1, got/);
  });

  it('builds the controller-manager and scheduler against the apiserver named', () => {
    const cluster = buildCluster({ apiservers: 2, nodes: { count: 1 }, components: { controllerManager: { apiserver: 'apiserver-1' }, scheduler: { apiserver: 'apiserver-1' } } });
    type Context = { manager?: { config: { apiserver: string } }; scheduler?: { config: { apiserver: string } } };
    const context = (address: string) => cluster.sim.host(address).snapshot()?.context as Context;
    cluster.sim.runFor(1);
    expect([context('kcm-0').manager?.config.apiserver, context('scheduler-0').scheduler?.config.apiserver]).toEqual(['apiserver-1', 'apiserver-1']);
  });
});
