// `kubesim up` with kube-system as kubeadm shows it, driven by the real kubectl: the control-plane static
// pods, the kube-proxy DaemonSet and CoreDNS listed Running and 1/1 ready; `default/kubernetes` and
// `kube-system/kube-dns` in `get svc -A`.
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startUp, withKubeadmControlPlane, type RunningCluster } from '../../src/cli/commands/up.ts';

const KUBECTL = '/usr/bin/kubectl';

function kubectl(kubeconfig: string, home: string, args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(KUBECTL, ['--kubeconfig', kubeconfig, ...args], { timeout: 30_000, env: { ...process.env, HOME: home } }, (error, stdout, stderr) => {
      if (error) reject(new Error(`kubectl ${args.join(' ')}: ${stderr}`));
      else resolve(String(stdout));
    });
  });
}

/** `NAME READY STATUS …` rows as objects. */
function rows(table: string): Array<Record<string, string>> {
  const [header, ...lines] = table.trim().split('\n');
  const names = header!.trim().split(/\s+/);
  return lines.map((line) => Object.fromEntries(line.trim().split(/\s+/).map((cell, i) => [names[i] ?? `c${i}`, cell])));
}

describe.skipIf(!existsSync(KUBECTL))('kubesim up: kube-system with kubectl', () => {
  let running: RunningCluster;
  let dir: string;
  let kubeconfig: string;
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'kubesim-kube-system-'));
    kubeconfig = join(dir, 'kubeconfig');
    running = await startUp({ port: 0, kubeconfig, spec: withKubeadmControlPlane({ nodes: { count: 2 } }), seed: 1, readyTimeoutMs: 60_000 });
  }, 90_000);
  afterAll(async () => {
    await running?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('lists the control plane, kube-proxy and CoreDNS pods Running and ready', async () => {
    let pods: Array<Record<string, string>> = [];
    const deadline = Date.now() + 60_000;
    while (Date.now() < deadline) {
      pods = rows(await kubectl(kubeconfig, dir, ['get', 'pods', '-n', 'kube-system']));
      if (pods.length === 13 && pods.every((p) => p.READY === '1/1' && p.STATUS === 'Running')) break;
      await new Promise((r) => setTimeout(r, 1_000));
    }
    const names = pods.map((p) => p.NAME!);
    for (const name of ['etcd-control-plane-1', 'etcd-control-plane-3', 'kube-apiserver-control-plane-1', 'kube-controller-manager-control-plane-1', 'kube-scheduler-control-plane-1']) {
      expect(names).toContain(name);
    }
    expect(names.filter((n) => /^kube-proxy-[a-z0-9]{5}$/.test(n))).toHaveLength(5);
    expect(names.filter((n) => /^coredns-[a-z0-9]+-[a-z0-9]{5}$/.test(n))).toHaveLength(2);
    expect(pods.map((p) => `${p.READY} ${p.STATUS}`)).toEqual(pods.map(() => '1/1 Running'));

    const nodes = rows(await kubectl(kubeconfig, dir, ['get', 'nodes']));
    expect(nodes.find((n) => n.NAME === 'control-plane-1')?.ROLES).toBe('control-plane');
  }, 90_000);

  it('shows default/kubernetes and kube-system/kube-dns in get svc -A', async () => {
    const svcs = rows(await kubectl(kubeconfig, dir, ['get', 'svc', '-A']));
    expect(svcs.find((s) => s.NAME === 'kubernetes')).toMatchObject({ NAMESPACE: 'default', TYPE: 'ClusterIP', 'CLUSTER-IP': '10.96.0.1', 'PORT(S)': '443/TCP' });
    expect(svcs.find((s) => s.NAME === 'kube-dns')).toMatchObject({ NAMESPACE: 'kube-system', 'CLUSTER-IP': '10.96.0.10', 'PORT(S)': '53/UDP,53/TCP,9153/TCP' });
  }, 60_000);
});
