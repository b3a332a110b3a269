import { beforeAll, describe, expect, it } from 'vitest';
import type { Pod } from 'kubernetes-types/core/v1.js';
import { buildCluster, type Cluster, type ManifestObject } from '../../src/cluster/index.ts';
import { LogClient } from './log-client.ts';

/** `kubectl logs` end to end in one small cluster: apiserver → kubelet → the runtime's container records. */

type Containers = NonNullable<Pod['spec']>['containers'];

function pod(name: string, annotations: Record<string, string> = {}, containers: Containers = [{ name: 'app', image: 'nginx:1.25' }]): ManifestObject {
  return { apiVersion: 'v1', kind: 'Pod', metadata: { name, namespace: 'default', annotations }, spec: { containers } };
}

describe('kubectl logs through the apiserver and the kubelet', () => {
  let cluster: Cluster;
  let logs: LogClient;
  const phase = (name: string) => cluster.get<Pod>('pods', name, 'default')?.status?.phase;
  const restarts = (name: string) => cluster.get<Pod>('pods', name, 'default')?.status?.containerStatuses?.[0]?.restartCount ?? 0;

  beforeAll(() => {
    cluster = buildCluster({ nodes: { count: 1 }, registry: { images: { 'myorg/slow': { pullMs: 600_000 } } } }, { seed: 7 }).start({ recordEvents: false });
    logs = new LogClient(cluster.sim);
    cluster.apply([
      pod('web'),
      pod('ticker', { 'kubesim.io/log-lines': 'ready', 'kubesim.io/log-every-ms': '2000', 'kubesim.io/log-line': 'request {n}' }),
      pod('crasher', { 'kubesim.io/log-lines': 'starting', 'kubesim.io/exit-after-ms': '3000', 'kubesim.io/exit-code': '3', 'kubesim.io/exit-message': 'panic: database unreachable' }),
      pod('two', {}, [{ name: 'a', image: 'nginx:1.25' }, { name: 'b', image: 'nginx:1.25' }]),
    ]);
    expect(cluster.runUntil(() => phase('web') === 'Running' && phase('ticker') === 'Running' && restarts('crasher') >= 1, 120_000)).toBe(true);
  }, 120_000);

  it("a running nginx pod's log: its start-up output, as text/plain", () => {
    const answer = logs.get('web');
    expect(answer.code).toBe(200);
    expect(answer.contentType).toBe('text/plain');
    const lines = answer.text.trimEnd().split('\n');
    expect(lines[0]).toBe('/docker-entrypoint.sh: /docker-entrypoint.d/ is not empty, will attempt to perform configuration');
    expect(lines).toContain('/docker-entrypoint.sh: Configuration complete; ready for start up');
    expect(lines.at(-1)).toMatch(/^\d{4}\/\d\d\/\d\d \d\d:\d\d:\d\d \[notice\] 1#1: start worker process 30$/);
  });

  it('tailLines and timestamps', () => {
    const answer = logs.get('web', { tailLines: 2, timestamps: true });
    expect(answer.text).toMatch(/^2024-04-17T\d\d:\d\d:\d\d\.\d{9}Z .*start worker process 29\n2024-04-17T\d\d:\d\d:\d\d\.\d{9}Z .*start worker process 30\n$/);
    expect(logs.get('web', { tailLines: 0 }).text).toBe('');
  });

  it('--previous shows the crashed instance, with its last line', () => {
    const previous = logs.get('crasher', { previous: true });
    expect(previous.code).toBe(200);
    expect(previous.text).toBe('starting\npanic: database unreachable\n');
  });

  it('follow receives new lines as the container writes them, until the client cancels', () => {
    const follow = logs.open('ticker', { follow: true });
    cluster.runUntil(() => follow.response !== undefined, 10_000);
    expect(follow.response).toMatchObject({ code: 200, stream: true, contentType: 'text/plain' });
    const before = follow.text.split('\n').filter((l) => l.startsWith('request')).length;
    cluster.runFor(6_000);
    const after = follow.text.trimEnd().split('\n').filter((l) => l.startsWith('request'));
    expect(after.length).toBeGreaterThanOrEqual(before + 2);
    // Numbered lines in order, none repeated.
    expect(after).toEqual(after.map((_, i) => `request ${Number(after[0].split(' ')[1]) + i}`));
    expect(follow.outOfOrder).toBe(0);
    logs.cancel(follow.requestId);
    cluster.runFor(1_000);
    const kubelet = cluster.sim.host('node-1/kubelet').snapshot()!.context as { kubelet: { logFollowers: object } };
    expect(Object.keys(kubelet.kubelet.logFollowers)).toEqual([]);
    const received = follow.chunks.length;
    cluster.runFor(5_000);
    expect(follow.chunks.length).toBe(received);
  });

  it('follow ends when the container exits, with its last line', () => {
    // Catch the crasher's next instance while it runs (it lives 3 s after each restart).
    expect(cluster.runUntil(() => cluster.get<Pod>('pods', 'crasher', 'default')?.status?.containerStatuses?.[0]?.state?.running !== undefined, 400_000)).toBe(true);
    const follow = logs.open('crasher', { follow: true });
    expect(cluster.runUntil(() => follow.closed, 10_000)).toBe(true);
    expect(follow.text).toBe('starting\npanic: database unreachable\n');
  });

  it('errors, as kube-apiserver words them', () => {
    expect(logs.get('two').status).toMatchObject({ code: 400, reason: 'BadRequest', message: 'a container name must be specified for pod two, choose one of: [a b]' });
    expect(logs.get('two', { container: 'c' }).status).toMatchObject({ code: 400, message: 'container c is not valid for pod two' });
    expect(logs.get('nope').status).toMatchObject({ code: 404, reason: 'NotFound', message: 'pods "nope" not found' });
    expect(logs.get('web', { tailLines: -1 }).status).toMatchObject({ code: 422, reason: 'Invalid', message: 'PodLogOptions "web" is invalid: tailLines: Invalid value: -1: must be greater than or equal to 0' });
    expect(logs.get('web', { previous: true }).status).toMatchObject({ code: 400, message: 'previous terminated container "app" in pod "web" not found' });
  });

  it('a pod not started yet: the kubelet says why; a pod not scheduled: no content', () => {
    const waitingFor = (name: string) => cluster.get<Pod>('pods', name, 'default')?.status?.containerStatuses?.[0]?.state?.waiting?.reason;
    // Pulls are serialized: the image that does not exist first, then the one that takes 10 minutes.
    cluster.apply([pod('missing', {}, [{ name: 'app', image: 'myorg/missing:1' }])]);
    expect(cluster.runUntil(() => waitingFor('missing') === 'ErrImagePull', 30_000)).toBe(true);
    expect(logs.get('missing').status).toMatchObject({ code: 400, message: 'container "app" in pod "missing" is waiting to start: image can\'t be pulled' });
    expect(cluster.runUntil(() => waitingFor('missing') === 'ImagePullBackOff', 30_000)).toBe(true);
    expect(logs.get('missing').status).toMatchObject({ code: 400, message: 'container "app" in pod "missing" is waiting to start: trying and failing to pull image' });
    cluster.apply([pod('slow', {}, [{ name: 'app', image: 'myorg/slow:1' }])]);
    expect(cluster.runUntil(() => waitingFor('slow') === 'ContainerCreating', 30_000)).toBe(true);
    expect(logs.get('slow').status).toMatchObject({ code: 400, reason: 'BadRequest', message: 'container "app" in pod "slow" is waiting to start: ContainerCreating' });
    cluster.apply([pod('pending', {}, [{ name: 'app', image: 'nginx:1.25', resources: { requests: { cpu: '100' } } }])]);
    cluster.runFor(2_000);
    expect(logs.get('pending')).toMatchObject({ code: 204, text: '' });
  });
});
