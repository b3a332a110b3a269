import { describe, expect, it } from 'vitest';
import type { Deployment } from 'kubernetes-types/apps/v1.js';
import type { Pod } from 'kubernetes-types/core/v1.js';
import { podTemplateHash } from '../../src/api/index.ts';
import { rolloutUndo } from '../../machines/controller-manager/deployment/rollout-undo.ts';
import { Cluster } from './harness.ts';

const condition = (d: Deployment, type: string) => d.status?.conditions?.find((c) => c.type === type);
const image = (pod: Pod) => pod.spec?.containers[0].image;

describe('deployment controller', () => {
  it('creates one ReplicaSet named by the template hash, and it creates the pods', () => {
    const c = new Cluster();
    c.run(50);
    c.createDeployment('web', { replicas: 3 });
    c.until(() => c.pods().length === 3, 5_000, '3 pods');
    c.run(200);

    const d = c.deployment();
    const [rs] = c.replicaSets();
    expect(c.replicaSets()).toHaveLength(1);
    const hash = podTemplateHash(d.spec!.template);
    expect(rs.metadata?.name).toBe(`web-${hash}`);
    expect(rs.metadata?.labels).toEqual({ app: 'web', 'pod-template-hash': hash });
    expect(rs.spec?.selector.matchLabels).toEqual({ app: 'web', 'pod-template-hash': hash });
    expect(rs.spec?.template?.metadata?.labels).toEqual({ app: 'web', 'pod-template-hash': hash });
    expect(rs.metadata?.ownerReferences).toEqual([
      { apiVersion: 'apps/v1', kind: 'Deployment', name: 'web', uid: d.metadata?.uid, controller: true, blockOwnerDeletion: true },
    ]);
    expect(rs.metadata?.annotations).toEqual({
      'deployment.kubernetes.io/revision': '1',
      'deployment.kubernetes.io/desired-replicas': '3',
      'deployment.kubernetes.io/max-replicas': '4',
    });
    expect(d.metadata?.annotations?.['deployment.kubernetes.io/revision']).toBe('1');

    for (const pod of c.pods()) {
      expect(pod.metadata?.name).toMatch(new RegExp(`^web-${hash}-[bcdfghjklmnpqrstvwxz2456789]{5}$`));
      expect(pod.metadata?.generateName).toBe(`web-${hash}-`);
      expect(pod.metadata?.labels).toEqual(rs.spec?.template?.metadata?.labels);
      expect(pod.metadata?.ownerReferences).toEqual([
        { apiVersion: 'apps/v1', kind: 'ReplicaSet', name: rs.metadata?.name, uid: rs.metadata?.uid, controller: true, blockOwnerDeletion: true },
      ]);
    }
    expect(rs.status).toEqual({ replicas: 3, fullyLabeledReplicas: 3, observedGeneration: 1 });
    expect(d.status).toMatchObject({ observedGeneration: 1, replicas: 3, updatedReplicas: 3, unavailableReplicas: 3 });
    expect(condition(d, 'Available')).toMatchObject({ status: 'False', reason: 'MinimumReplicasUnavailable', message: 'Deployment does not have minimum availability.' });
    expect(condition(d, 'Progressing')).toMatchObject({ status: 'True', reason: 'ReplicaSetUpdated', message: `ReplicaSet "web-${hash}" is progressing.` });

    c.rollOut();
    const done = c.deployment();
    expect(done.status).toMatchObject({ replicas: 3, updatedReplicas: 3, readyReplicas: 3, availableReplicas: 3 });
    expect(done.status?.unavailableReplicas).toBeUndefined();
    expect(condition(done, 'Available')).toMatchObject({ status: 'True', reason: 'MinimumReplicasAvailable', message: 'Deployment has minimum availability.' });
    expect(condition(done, 'Progressing')).toMatchObject({ status: 'True', reason: 'NewReplicaSetAvailable', message: `ReplicaSet "web-${hash}" has successfully progressed.` });
  });

  it('records the ScalingReplicaSet and SuccessfulCreate events through the Events API', () => {
    const c = new Cluster();
    c.run(50);
    c.createDeployment('web', { replicas: 3 });
    // (The controller-manager's own LeaderElection event is there too; only the controllers' count here.)
    c.until(() => c.events('deployment-controller').length + c.events('replicaset-controller').length === 4, 5_000, 'events');
    const [rs] = c.replicaSets();
    const name = rs.metadata!.name!;
    const scaled = c.events('deployment-controller');
    expect(scaled.map((e) => e.message)).toEqual([`Scaled up replica set ${name} from 0 to 3`]);
    expect(scaled[0]).toMatchObject({
      type: 'Normal', reason: 'ScalingReplicaSet', count: 1, source: { component: 'deployment-controller' },
      involvedObject: { kind: 'Deployment', name: 'web', namespace: 'default', apiVersion: 'apps/v1', uid: c.deployment().metadata?.uid },
    });
    expect(scaled[0].firstTimestamp).toBe(scaled[0].lastTimestamp);
    const created = c.events('replicaset-controller');
    expect(created.map((e) => e.reason)).toEqual(['SuccessfulCreate', 'SuccessfulCreate', 'SuccessfulCreate']);
    expect(created.map((e) => e.message).sort()).toEqual(c.pods().map((p) => `Created pod: ${p.metadata?.name}`).sort());
    expect(created[0].involvedObject).toMatchObject({ kind: 'ReplicaSet', name, uid: rs.metadata?.uid });
  });

  it('scales 3 → 1 → 3, deleting the not-ready pods first', () => {
    const c = new Cluster();
    c.run(50);
    c.createDeployment('web', { replicas: 3 });
    c.until(() => c.pods().length === 3, 5_000);
    const keep = c.pods()[1];
    c.markReady(keep);
    c.run(200);

    c.scale(1);
    c.until(() => c.pods().length === 1, 5_000, 'scale down');
    c.run(200);
    const [rs] = c.replicaSets();
    expect(c.pods().map((p) => p.metadata?.name)).toEqual([keep.metadata?.name]);
    expect(rs.spec?.replicas).toBe(1);
    expect(rs.metadata?.annotations?.['deployment.kubernetes.io/desired-replicas']).toBe('1');
    expect(rs.metadata?.annotations?.['deployment.kubernetes.io/max-replicas']).toBe('2');
    expect(c.eventMessages('deployment-controller').at(-1)).toBe(`Scaled down replica set ${rs.metadata?.name} from 3 to 1`);
    const deleted = c.events('replicaset-controller').filter((e) => e.reason === 'SuccessfulDelete');
    expect(deleted).toHaveLength(2);
    expect(deleted.every((e) => e.message?.startsWith('Deleted pod: web-'))).toBe(true);

    c.scale(3);
    c.until(() => c.pods().length === 3, 5_000, 'scale up');
    c.rollOut();
    expect(c.replicaSets()).toHaveLength(1);
    expect(c.eventMessages('deployment-controller').at(-1)).toBe(`Scaled up replica set ${rs.metadata?.name} from 1 to 3`);
  });

  it('replaces a deleted pod', () => {
    const c = new Cluster();
    c.run(50);
    c.createDeployment('web', { replicas: 3 });
    c.rollOut();
    const victim = c.pods()[0];
    c.deletePod(victim);
    c.until(() => c.pods().length === 3 && !c.pods().some((p) => p.metadata?.name === victim.metadata?.name), 5_000, 'replacement');
    c.run(500);
    expect(c.pods()).toHaveLength(3);
    expect(c.requests('create', 'pods')).toHaveLength(4);
  });

  it.each([
    { replicas: 3, maxSurge: '25%', maxUnavailable: '25%', surge: 1, unavailable: 0 },
    { replicas: 4, maxSurge: '25%', maxUnavailable: '25%', surge: 1, unavailable: 1 },
    { replicas: 5, maxSurge: 0, maxUnavailable: 2, surge: 0, unavailable: 2 },
    { replicas: 4, maxSurge: 2, maxUnavailable: 0, surge: 2, unavailable: 0 },
    { replicas: 10, maxSurge: '30%', maxUnavailable: '30%', surge: 3, unavailable: 3 },
  ])('rolls out a new image with $replicas replicas, maxSurge $maxSurge, maxUnavailable $maxUnavailable within its bounds', ({ replicas, maxSurge, maxUnavailable, surge, unavailable }) => {
    const c = new Cluster();
    c.run(50);
    c.createDeployment('web', { replicas, strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge, maxUnavailable } } });
    c.rollOut();
    const [oldRS] = c.replicaSets();
    c.setImage('nginx:1.26');

    let maxPods = 0;
    let minReady = Infinity;
    let steps = 0;
    // A kubelet readies each new pod 150 ms after it appears; the bounds are checked after every event.
    const seen = new Map<string, number>();
    while (!(c.rolledOut() && c.replicaSets().length === 2 && c.podsOf(oldRS).length === 0) && steps < 50_000) {
      c.sim.step();
      steps++;
      for (const pod of c.pods()) {
        const name = pod.metadata!.name!;
        if (!seen.has(name)) seen.set(name, c.now);
        if (!c.isReady(pod) && c.now - seen.get(name)! >= 150) c.markReady(pod);
      }
      const pods = c.deploymentPods();
      maxPods = Math.max(maxPods, pods.length);
      minReady = Math.min(minReady, pods.filter((p) => c.isReady(p)).length);
    }
    expect(c.rolledOut()).toBe(true);
    expect(maxPods).toBeLessThanOrEqual(replicas + surge);
    expect(minReady).toBeGreaterThanOrEqual(replicas - unavailable);
    // The bounds were actually used, not trivially met.
    expect(maxPods + (replicas - minReady)).toBeGreaterThan(replicas);

    const [old, current] = c.replicaSets();
    expect(old.metadata?.uid).toBe(oldRS.metadata?.uid);
    expect(old.spec?.replicas).toBe(0);
    expect(current.metadata?.annotations?.['deployment.kubernetes.io/revision']).toBe('2');
    expect(c.deployment().metadata?.annotations?.['deployment.kubernetes.io/revision']).toBe('2');
    expect(c.pods().every((p) => image(p) === 'nginx:1.26')).toBe(true);
    const messages = c.eventMessages('deployment-controller');
    expect(messages.some((m) => m.startsWith(`Scaled up replica set ${current.metadata?.name} from 0 to `))).toBe(true);
    expect(messages.some((m) => new RegExp(`^Scaled down replica set ${old.metadata?.name} from \\d+ to 0$`).test(m))).toBe(true);
  });

  it('rolls back to the previous revision: the old ReplicaSet becomes new again with the next revision', () => {
    const c = new Cluster();
    c.run(50);
    c.createDeployment('web', { replicas: 3 });
    c.rollOut();
    c.setImage('nginx:1.26');
    c.rollOut();
    const [v1, v2] = c.replicaSets();

    const undo = rolloutUndo(c.deployment(), c.objects('replicasets'));
    expect(undo).toMatchObject({ kind: 'rolledBack', message: 'deployment.apps/web rolled back' });
    if (undo.kind !== 'rolledBack') return;
    expect(undo.deployment.spec?.template.metadata?.labels).toEqual({ app: 'web' });
    c.apply(undo.deployment);
    c.rollOut();

    expect(c.replicaSets().map((rs) => rs.metadata?.uid)).toEqual([v2.metadata?.uid, v1.metadata?.uid]);
    const restored = c.replicaSets()[1];
    expect(restored.metadata?.annotations).toMatchObject({
      'deployment.kubernetes.io/revision': '3',
      'deployment.kubernetes.io/revision-history': '1',
    });
    expect(restored.spec?.replicas).toBe(3);
    expect(c.replicaSets()[0].spec?.replicas).toBe(0);
    expect(c.deployment().metadata?.annotations?.['deployment.kubernetes.io/revision']).toBe('3');
    expect(c.pods().every((p) => image(p) === 'nginx:1.25')).toBe(true);
    expect(rolloutUndo(c.deployment(), c.objects('replicasets'), 3)).toMatchObject({ kind: 'skipped' });
    expect(rolloutUndo(c.deployment(), c.objects('replicasets'), 9)).toEqual({ kind: 'error', message: 'unable to find specified revision 9 in history' });
  });

  it('does not roll out while paused, still scales, and rolls out on resume', () => {
    const c = new Cluster();
    c.run(50);
    c.createDeployment('web', { replicas: 2 });
    c.rollOut();
    c.setPaused(true);
    c.run(300);
    expect(condition(c.deployment(), 'Progressing')).toMatchObject({ status: 'Unknown', reason: 'DeploymentPaused', message: 'Deployment is paused' });
    c.setImage('nginx:1.26');
    c.run(1_000);
    expect(c.replicaSets()).toHaveLength(1);
    expect(rolloutUndo(c.deployment(), c.objects('replicasets')).kind).toBe('error');
    c.scale(4);
    c.until(() => c.pods().length === 4, 5_000, 'paused scale-up');
    expect(c.pods().every((p) => image(p) === 'nginx:1.25')).toBe(true);

    c.setPaused(false);
    c.until(() => condition(c.deployment(), 'Progressing')?.reason === 'DeploymentResumed', 2_000, 'resumed condition');
    expect(condition(c.deployment(), 'Progressing')).toMatchObject({ status: 'Unknown', message: 'Deployment is resumed' });
    c.rollOut();
    expect(c.replicaSets()).toHaveLength(2);
    expect(c.pods().every((p) => image(p) === 'nginx:1.26')).toBe(true);
    expect(condition(c.deployment(), 'Progressing')).toMatchObject({ status: 'True', reason: 'NewReplicaSetAvailable' });
  });

  it('Recreate scales the old ReplicaSet to zero and waits for its pods before creating the new one', () => {
    const c = new Cluster();
    c.run(50);
    c.createDeployment('web', { replicas: 3, strategy: { type: 'Recreate' } });
    c.rollOut();
    const [oldRS] = c.replicaSets();
    c.setImage('nginx:1.26');
    let overlap = false;
    let steps = 0;
    while (!(c.rolledOut() && c.replicaSets().length === 2) && steps++ < 20_000) {
      c.sim.step();
      const images = new Set(c.deploymentPods().map(image));
      if (images.size > 1) overlap = true;
      c.readyAll();
    }
    expect(overlap).toBe(false);
    expect(c.rolledOut()).toBe(true);
    const [old, current] = c.replicaSets();
    expect(old.metadata?.uid).toBe(oldRS.metadata?.uid);
    expect(old.spec?.replicas).toBe(0);
    expect(current.spec?.replicas).toBe(3);
    expect(c.eventMessages('deployment-controller').slice(-2)).toEqual([
      `Scaled down replica set ${old.metadata?.name} from 3 to 0`,
      `Scaled up replica set ${current.metadata?.name} from 0 to 3`,
    ]);
  });

  it('reports ProgressDeadlineExceeded when pods never become available', () => {
    const c = new Cluster();
    c.run(50);
    c.createDeployment('web', { replicas: 2, progressDeadlineSeconds: 10 });
    c.run(5_000);
    expect(condition(c.deployment(), 'Progressing')?.reason).not.toBe('ProgressDeadlineExceeded');
    c.until(() => condition(c.deployment(), 'Progressing')?.reason === 'ProgressDeadlineExceeded', 20_000, 'deadline');
    const [rs] = c.replicaSets();
    expect(condition(c.deployment(), 'Progressing')).toMatchObject({
      status: 'False', message: `ReplicaSet "${rs.metadata?.name}" has timed out progressing.`,
    });
    expect(c.now).toBeLessThan(13_000);
  });

  it('keeps only revisionHistoryLimit old ReplicaSets', () => {
    const c = new Cluster();
    c.run(50);
    c.createDeployment('web', { replicas: 1, revisionHistoryLimit: 1 });
    c.rollOut();
    for (const tag of ['1.26', '1.27', '1.28']) {
      c.setImage(`nginx:${tag}`);
      c.rollOut();
      c.run(500);
    }
    const revisions = c.replicaSets().map((rs) => rs.metadata?.annotations?.['deployment.kubernetes.io/revision']);
    expect(revisions).toEqual(['3', '4']);
    expect(c.requests('delete', 'replicasets').map((r) => r.code)).toEqual([200, 200]);
  });

  it('releases a ReplicaSet that stops matching, bumps collisionCount for the taken name, and adopts it back', () => {
    const c = new Cluster();
    c.run(50);
    c.createDeployment('web', { replicas: 1 });
    c.rollOut();
    const [rs] = c.replicaSets();
    const relabel = (app: string) => {
      const current = structuredClone(c.objects('replicasets').find((r) => r.metadata?.uid === rs.metadata?.uid)!);
      current.metadata = { ...current.metadata, labels: { ...current.metadata?.labels, app } };
      c.apply(current, 'replicasets');
    };
    relabel('other');
    c.run(500);
    c.rollOut();
    const released = c.objects('replicasets').find((r) => r.metadata?.uid === rs.metadata?.uid)!;
    expect(released.metadata?.ownerReferences).toBeUndefined();
    // Its pod is still its own: releasing a ReplicaSet does not touch its pods.
    expect(c.podsOf(rs)).toHaveLength(1);
    // Its name is the template's hash: the replacement needs another one.
    expect(c.deployment().status?.collisionCount).toBe(1);
    const [replacement] = c.replicaSets();
    expect(replacement.metadata?.name).not.toBe(rs.metadata?.name);

    relabel('web');
    c.run(500);
    c.rollOut();
    const owned = c.replicaSets();
    expect(owned.map((r) => r.metadata?.uid).sort()).toEqual([rs.metadata?.uid, replacement.metadata?.uid].sort());
    expect(owned.every((r) => r.metadata?.ownerReferences?.[0]?.uid === c.deployment().metadata?.uid)).toBe(true);
    // Same template twice: the first by creation time (then name) is the new one, the other goes to zero.
    expect(owned.map((r) => r.spec?.replicas).sort()).toEqual([0, 1]);
    expect(c.pods()).toHaveLength(1);
  });

  it('adopts an existing ReplicaSet running its template and reports FoundNewReplicaSet', () => {
    const c = new Cluster();
    c.run(50);
    const labels = { app: 'web', 'pod-template-hash': 'handmade' };
    c.apply({
      apiVersion: 'apps/v1', kind: 'ReplicaSet', metadata: { name: 'web-handmade', namespace: 'default', labels },
      spec: { replicas: 2, selector: { matchLabels: labels }, template: { metadata: { labels }, spec: { containers: [{ name: 'app', image: 'nginx:1.25' }] } } },
    }, 'replicasets');
    c.until(() => c.pods().length === 2, 5_000);
    c.createDeployment('web', { replicas: 2 });
    const reasons = new Set<string>();
    c.until(() => {
      const reason = condition(c.deployment(), 'Progressing')?.reason;
      if (reason) reasons.add(reason);
      c.readyAll();
      return c.rolledOut();
    }, 10_000, 'rollout');
    expect(reasons).toContain('FoundNewReplicaSet');
    const [rs] = c.replicaSets();
    expect(rs.metadata?.name).toBe('web-handmade');
    expect(rs.metadata?.annotations?.['deployment.kubernetes.io/revision']).toBe('1');
    expect(c.deployment().metadata?.annotations?.['deployment.kubernetes.io/revision']).toBe('1');
    // Adoption re-read the Deployment first; nothing was created anew.
    expect(c.requests('get', 'deployments').length).toBeGreaterThan(0);
    expect(c.requests('create', 'replicasets')).toHaveLength(0);
    expect(c.requests('create', 'pods')).toHaveLength(2);
  });

  it('survives a controller-manager restart: relists and creates nothing twice', () => {
    const c = new Cluster();
    c.run(50);
    c.createDeployment('web', { replicas: 3 });
    c.rollOut();
    const creates = c.requests('create', 'pods').length;
    c.sim.crash('kcm-0');
    c.scale(5);
    c.sim.restart('kcm-0');
    c.rollOut();
    c.run(2_000);
    expect(c.pods()).toHaveLength(5);
    expect(c.requests('create', 'pods')).toHaveLength(creates + 2);
  });
});
