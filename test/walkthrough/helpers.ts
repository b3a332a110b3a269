// The architecture guides' walkthroughs, driven from code: a cluster built and started in virtual time,
// manifests applied as kubectl would, and the readings the tests make of pods and events.
import type { Pod, Event } from 'kubernetes-types/core/v1.js';
import { buildCluster, type Cluster, type ClusterSpec } from '../../src/cluster/index.ts';

export function startCluster(seed = 1, spec: ClusterSpec = {}): Cluster {
  return buildCluster(spec, { seed }).start();
}

export function deploymentYaml(name: string, opts: { replicas?: number; image?: string; extra?: string } = {}): string {
  return `apiVersion: apps/v1
kind: Deployment
metadata:
  name: ${name}
spec:
  replicas: ${opts.replicas ?? 3}
  selector:
    matchLabels:
      app: ${name}
${opts.extra ?? ''}  template:
    metadata:
      labels:
        app: ${name}
    spec:
      containers:
      - name: nginx
        image: ${opts.image ?? 'nginx:1.25'}
`;
}

export function isReady(pod: Pod): boolean {
  return pod.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') ?? false;
}

/** Pods of `app`, not being deleted. */
export function pods(cluster: Cluster, app: string): Pod[] {
  return cluster.list<Pod & { metadata: object }>('pods', { namespace: 'default', labelSelector: `app=${app}` })
    .filter((p) => !p.metadata?.deletionTimestamp);
}

export function runningReady(cluster: Cluster, app: string): Pod[] {
  return pods(cluster, app).filter((p) => p.status?.phase === 'Running' && isReady(p));
}

/** Runs (polling every 250 ms of virtual time) until `check` holds; fails the test after `timeoutMs`. */
export function waitFor(cluster: Cluster, what: string, check: () => boolean, timeoutMs = 120_000): void {
  const deadline = cluster.now + timeoutMs;
  while (!check()) {
    if (cluster.now >= deadline) throw new Error(`timed out after ${timeoutMs / 1000}s waiting for ${what}`);
    cluster.runFor(250);
  }
}

/** Events about `kind/name` as the event watch first delivered them, in order. */
export function eventsOf(cluster: Cluster, kind: string, name: string): Event[] {
  return cluster.eventLog
    .filter((o) => o.change === 'added' && o.event.involvedObject.kind === kind && o.event.involvedObject.name === name)
    .map((o) => o.event);
}

export function reasons(events: readonly Event[]): string[] {
  return events.map((e) => e.reason ?? '');
}
