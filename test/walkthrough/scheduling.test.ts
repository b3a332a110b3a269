// Why pods stay Pending, and how taints, tolerations and nodeSelector place them.
import type { Pod } from 'kubernetes-types/core/v1.js';
import { describe, expect, it } from 'vitest';
import { eventsOf, reasons, runningReady, startCluster, waitFor } from './helpers.ts';

function podYaml(name: string, spec: string): string {
  return `apiVersion: v1
kind: Pod
metadata:
  name: ${name}
  labels:
    app: ${name}
spec:
${spec}`;
}

describe('walkthrough: scheduling', () => {
  it('a pod requesting cpu "100" stays Pending: 0/3 nodes are available: 3 Insufficient cpu.', () => {
    const cluster = startCluster(31);
    cluster.apply(podYaml('greedy', `  containers:
  - name: app
    image: nginx:1.25
    resources:
      requests:
        cpu: "100"
`));
    cluster.runFor(30_000);
    const pod = cluster.get<Pod & { metadata: object }>('pods', 'greedy', 'default')!;
    expect(pod.status?.phase).toBe('Pending');
    expect(pod.spec?.nodeName).toBeUndefined();
    expect(pod.status?.conditions).toContainEqual(expect.objectContaining({ type: 'PodScheduled', status: 'False', reason: 'Unschedulable' }));
    const failed = eventsOf(cluster, 'Pod', 'greedy').filter((e) => e.reason === 'FailedScheduling');
    expect(failed.length).toBeGreaterThanOrEqual(1);
    expect(failed[0].type).toBe('Warning');
    expect(failed[0].source?.component).toBe('default-scheduler');
    expect(failed[0].message).toMatch(/^0\/3 nodes are available: 3 Insufficient cpu\. preemption: /);
  });

  it('taints keep pods off a node unless tolerated; nodeSelector pins them', () => {
    const cluster = startCluster(32, {
      nodes: [
        { name: 'node-1', labels: { role: 'database' }, taints: [{ key: 'dedicated', value: 'database', effect: 'NoSchedule' }] },
        { name: 'node-2', labels: { env: 'production' } },
        { name: 'node-3' },
      ],
    });
    cluster.apply([
      `apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  replicas: 6
  selector:
    matchLabels: { app: web }
  template:
    metadata:
      labels: { app: web }
    spec:
      containers: [{ name: nginx, image: "nginx:1.25" }]
`,
      podYaml('frontend', `  nodeSelector: { env: production }
  containers: [{ name: nginx, image: "nginx:1.25" }]
`),
      podYaml('database', `  nodeSelector: { role: database }
  tolerations: [{ key: dedicated, operator: Equal, value: database, effect: NoSchedule }]
  containers: [{ name: db, image: "postgres:16" }]
`),
      podYaml('intruder', `  nodeSelector: { role: database }
  containers: [{ name: app, image: "busybox:1.36" }]
`),
    ].join('---\n'));
    waitFor(cluster, 'everything placeable running', () =>
      runningReady(cluster, 'web').length === 6 && runningReady(cluster, 'frontend').length === 1 && runningReady(cluster, 'database').length === 1);
    expect(new Set(runningReady(cluster, 'web').map((p) => p.spec?.nodeName))).toEqual(new Set(['node-2', 'node-3']));
    expect(runningReady(cluster, 'frontend')[0].spec?.nodeName).toBe('node-2');
    expect(runningReady(cluster, 'database')[0].spec?.nodeName).toBe('node-1');
    const intruder = cluster.get<Pod & { metadata: object }>('pods', 'intruder', 'default')!;
    expect(intruder.spec?.nodeName).toBeUndefined();
    expect(eventsOf(cluster, 'Pod', 'intruder').find((e) => e.reason === 'FailedScheduling')?.message)
      .toMatch(/^0\/3 nodes are available: 1 node\(s\) had untolerated taint \{dedicated: database\}, 2 node\(s\) didn't match Pod's node affinity\/selector\./);
    expect(reasons(eventsOf(cluster, 'Pod', 'database'))).toEqual(['Scheduled', 'Pulling', 'Pulled', 'Created', 'Started']);
  });
});
