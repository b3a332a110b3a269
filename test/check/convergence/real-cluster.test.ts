// The ESR checker against the real model: a whole cluster (etcd, apiserver, controllers, scheduler,
// kubelets, kube-proxies) runs a Deployment behind a Service, a DaemonSet and a Job; once settled the
// snapshot must converge (no false alarms), stay converged, and a rollout must hold its availability floor.
// Then a planted fault the checker must see: a node goes down and its pods are not (yet) evicted.
import { describe, expect, it } from 'vitest';
import { SafetyMonitor } from '../../../src/check/cluster-invariants/index.ts';
import { checkConvergence, checkStable, formatViolations, type ClusterView } from '../../../src/check/convergence/index.ts';
import { buildCluster, type Cluster } from '../../../src/cluster/index.ts';
import { clusterView } from '../../cluster-view.ts';

const MANIFEST = `
apiVersion: apps/v1
kind: Deployment
metadata: { name: web }
spec:
  replicas: 3
  selector: { matchLabels: { app: web } }
  template:
    metadata: { labels: { app: web } }
    spec:
      containers:
      - name: nginx
        image: nginx:1.25
        ports: [{ name: http, containerPort: 80 }]
---
apiVersion: v1
kind: Service
metadata: { name: web }
spec:
  selector: { app: web }
  ports: [{ name: web, port: 80, targetPort: http }]
---
apiVersion: apps/v1
kind: DaemonSet
metadata: { name: agent }
spec:
  selector: { matchLabels: { app: agent } }
  template:
    metadata: { labels: { app: agent } }
    spec:
      containers: [{ name: agent, image: busybox:1.36 }]
---
apiVersion: batch/v1
kind: Job
metadata: { name: once }
spec:
  completions: 2
  template:
    metadata: { annotations: { kubesim.io/exit-after-ms: "2000" } }
    spec:
      restartPolicy: Never
      containers: [{ name: work, image: busybox:1.36 }]
`;

const snapshot = clusterView;

/** Polls once a virtual second (a snapshot lists through the API, which itself runs the simulation). */
function runUntilConverged(cluster: Cluster, timeoutMs: number): boolean {
  const deadline = cluster.now + timeoutMs;
  while (cluster.now < deadline) {
    cluster.runFor(1_000);
    if (checkConvergence(snapshot(cluster)).length === 0) return true;
  }
  return false;
}

describe('ESR on a real cluster run', () => {
  it('converges with no false alarms, stays converged, and keeps safety through a rollout', () => {
    const cluster = buildCluster({}, { seed: 13 }).start();
    cluster.apply(MANIFEST);
    const converged = runUntilConverged(cluster, 120_000);
    expect(converged, formatViolations(checkConvergence(snapshot(cluster)))).toBe(true);

    const window: ClusterView[] = [];
    for (let i = 0; i < 4; i++) {
      cluster.runFor(5_000);
      window.push(snapshot(cluster));
    }
    const stable = checkStable(window);
    expect(formatViolations(stable.violations)).toBe('');

    // A rolling update, watched step by step: no overcommit, no rebinding, the floor held.
    const monitor = new SafetyMonitor();
    monitor.observe(snapshot(cluster));
    cluster.setImage('deployment/web', { nginx: 'nginx:1.26' });
    for (let i = 0; i < 60 && checkConvergence(snapshot(cluster)).length > 0; i++) {
      cluster.runFor(1_000);
      monitor.observe(snapshot(cluster), { disruptionFree: true });
    }
    expect(formatViolations(monitor.violations)).toBe('');
    expect(formatViolations(checkConvergence(snapshot(cluster)))).toBe('');
    cluster.stop();
  });

  it('a node that goes down: caught at once, converged again after grace period and toleration, and after it returns', () => {
    const cluster = buildCluster({}, { seed: 14 }).start();
    cluster.apply(MANIFEST);
    expect(runUntilConverged(cluster, 120_000)).toBe(true);
    cluster.crash('node-2');
    const crashedAt = cluster.now;
    cluster.runFor(5_000);
    const violations = checkConvergence(snapshot(cluster, ['node-2']));
    expect(violations.map((v) => v.message)).toContain('Node node-2 is down but has no unreachable or not-ready NoExecute taint.');
    expect(violations.some((v) => v.property === 'pod-placement' && v.message.includes('is still active on node-2, which is down'))).toBe(true);

    // Node lifecycle: NotReady after the 50 s grace period; taint eviction after the pods' 300 s
    // tolerations; the ReplicaSet replaces what was evicted. Not before that, and not much later.
    const down = () => checkConvergence(snapshot(cluster, ['node-2'])).length === 0;
    cluster.runFor(300_000);
    expect(down()).toBe(false);
    let convergedAt: number | undefined;
    for (let i = 0; i < 20 && convergedAt === undefined; i++) {
      cluster.runFor(5_000);
      if (down()) convergedAt = cluster.now;
    }
    expect(convergedAt, formatViolations(checkConvergence(snapshot(cluster, ['node-2'])))).toBeDefined();
    expect(convergedAt! - crashedAt).toBeGreaterThan(350_000);

    cluster.restart('node-2');
    expect(runUntilConverged(cluster, 60_000), formatViolations(checkConvergence(snapshot(cluster)))).toBe(true);
    cluster.stop();
  });
});
