import { describe, expect, it } from 'vitest';
import type { Pod } from 'kubernetes-types/core/v1.js';
import { LOG_STREAM_IDLE_MS } from '../../machines/apiserver/log-streams.ts';
import { buildCluster, type Cluster, type ManifestObject } from '../../src/cluster/index.ts';
import { LogClient } from './log-client.ts';

/** Logs across crashes and partitions: durable with the runtime, honest about a kubelet that is gone. */

const TICKER: ManifestObject = {
  apiVersion: 'v1', kind: 'Pod',
  metadata: { name: 'ticker', namespace: 'default', annotations: { 'kubesim.io/log-lines': 'ready', 'kubesim.io/log-every-ms': '1000' } },
  spec: { containers: [{ name: 'app', image: 'nginx:1.25' }] },
};

function startTicker(seed: number): { cluster: Cluster; logs: LogClient } {
  const cluster = buildCluster({ nodes: { count: 1 } }, { seed }).start({ recordEvents: false });
  cluster.apply(TICKER);
  const running = () => cluster.get<Pod>('pods', 'ticker', 'default')?.status?.phase === 'Running';
  expect(cluster.runUntil(running, 60_000)).toBe(true);
  cluster.runFor(3_000);
  return { cluster, logs: new LogClient(cluster.sim) };
}

const followers = (cluster: Cluster) =>
  Object.keys((cluster.sim.host('node-1/kubelet').snapshot()!.context as { kubelet: { logFollowers: object } }).kubelet.logFollowers);

describe('logs under faults', () => {
  it('survive a container runtime restart and a kubelet restart (the log is durable runtime state)', () => {
    const { cluster, logs } = startTicker(11);
    const before = logs.get('ticker').text;
    expect(before.startsWith('ready\ntick 1\ntick 2\n')).toBe(true);
    cluster.crash('node-1/containerd');
    cluster.runFor(2_000);
    cluster.restart('node-1/containerd');
    cluster.crash('node-1/kubelet');
    cluster.restart('node-1/kubelet');
    cluster.runFor(5_000);
    const after = logs.get('ticker');
    expect(after.code).toBe(200);
    expect(after.text.startsWith(before)).toBe(true);
    expect(after.text.split('\n').length).toBeGreaterThan(before.split('\n').length + 3);
  });

  it("a kubelet that does not answer: the apiserver's dial times out (500, as a Go error)", () => {
    const { cluster, logs } = startTicker(12);
    cluster.sim.partition({ id: 'cut', from: ['node-1/kubelet'], to: ['apiserver-0'], oneWay: false });
    const answer = logs.get('ticker');
    expect(answer.status).toMatchObject({
      code: 500, reason: '',
      message: 'Get "https://172.18.0.2:10250/containerLogs/default/ticker/app": dial tcp 172.18.0.2:10250: i/o timeout',
    });
  });

  it('a followed log ends when its kubelet goes away', () => {
    const { cluster, logs } = startTicker(13);
    const follow = logs.open('ticker', { follow: true });
    cluster.runFor(3_000);
    expect(follow.closed).toBe(false);
    cluster.crash('node-1/kubelet');
    const crashedAt = cluster.now;
    expect(cluster.runUntil(() => follow.closed, LOG_STREAM_IDLE_MS + 10_000)).toBe(true);
    expect(cluster.now - crashedAt).toBeGreaterThan(LOG_STREAM_IDLE_MS - 30_000);
  });

  it('a followed log that loses a message breaks (both ends stop), as a TCP stream would', () => {
    const { cluster, logs } = startTicker(14);
    const follow = logs.open('ticker', { follow: true });
    cluster.runFor(2_000);
    cluster.sim.partition({ id: 'loss', from: ['node-1/kubelet'], to: ['apiserver-0'], oneWay: true });
    cluster.runFor(2_500);
    cluster.sim.heal('loss');
    expect(cluster.runUntil(() => follow.closed, 5_000)).toBe(true);
    cluster.runFor(1_000);
    expect(followers(cluster)).toEqual([]);
    // What reached the client is a gap-free prefix of the log.
    const lines = follow.text.trimEnd().split('\n');
    expect(logs.get('ticker').text.startsWith(`${lines.join('\n')}\n`)).toBe(true);
  });
});
