import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { specFromFlags } from '../../src/cli/commands/up.ts';
import { UsageError } from '../../src/cli/usage-error.ts';
import { kubeconfigFor } from '../../src/http/kubeconfig.ts';
import { parse } from 'yaml';

/** `kubesim up` flags and spec files → the cluster spec; the kubeconfig it writes. */

describe('kubesim up: the cluster spec', () => {
  it('is empty (all defaults) without flags', () => {
    expect(specFromFlags({})).toEqual({});
  });

  it('takes nodes, etcd members, apiservers and node capacity from flags', () => {
    expect(specFromFlags({ nodes: '5', etcd: '1', apiservers: '2', nodeCpu: '8', nodeMemory: '16Gi' })).toEqual({
      nodes: { count: 5, capacity: { cpu: '8', memory: '16Gi' } }, etcd: { members: 1 }, apiservers: 2,
    });
    expect(specFromFlags({ nodeCpu: '2' })).toEqual({ nodes: { count: 3, capacity: { cpu: '2' } } });
  });

  it('reads a spec file, or a scenario file\'s cluster block, with flags on top', () => {
    const dir = mkdtempSync(join(tmpdir(), 'kubesim-up-'));
    const spec = join(dir, 'spec.yaml');
    writeFileSync(spec, 'apiservers: 2\nnodes:\n  count: 4\n  labels: {zone: a}\n');
    expect(specFromFlags({ spec, nodes: '6' })).toEqual({ apiservers: 2, nodes: { count: 6, labels: { zone: 'a' } } });
    const scenario = join(dir, 'scenario.yaml');
    writeFileSync(scenario, 'cluster:\n  etcd: {members: 5}\nworkload: []\n');
    expect(specFromFlags({ spec: scenario })).toEqual({ etcd: { members: 5 } });
  });

  it('refuses bad numbers and unreadable files as usage errors', () => {
    expect(() => specFromFlags({ nodes: 'many' })).toThrow(UsageError);
    expect(() => specFromFlags({ etcd: '8' })).toThrow(UsageError);
    expect(() => specFromFlags({ spec: '/no/such/file.yaml' })).toThrow(UsageError);
  });

  it('writes a kubeconfig kubectl and client-node accept for plain HTTP', () => {
    const config = parse(kubeconfigFor('http://127.0.0.1:6443'));
    expect(config).toMatchObject({
      apiVersion: 'v1', kind: 'Config', 'current-context': 'kubesim',
      clusters: [{ name: 'kubesim', cluster: { server: 'http://127.0.0.1:6443', 'insecure-skip-tls-verify': true } }],
      contexts: [{ name: 'kubesim', context: { cluster: 'kubesim', user: 'kubesim', namespace: 'default' } }],
      users: [{ name: 'kubesim', user: {} }],
    });
  });
});
