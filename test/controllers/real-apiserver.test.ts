import { describe, expect, it } from 'vitest';
import type { Endpoints, Node, Pod } from 'kubernetes-types/core/v1.js';
import type { EndpointSlice } from 'kubernetes-types/discovery/v1.js';
import { etcdMemberMachine } from '../../machines/etcd-member/index.ts';
import { controllerManagerMachine } from '../../machines/controller-manager/controller-manager.machine.ts';
import type { ApiRequest, ApiResponseMessage } from '../../src/apiserver/protocol.ts';
import { microTime, rfc3339 } from '../../src/kubelet/format.ts';
import { APISERVER, ApiHarness, apps, core, create, deployment, get, list, obj, update } from '../apiserver/harness.ts';
import { nodeObject } from './nodes.ts';

/**
 * The controller-manager (every controller, as `{ apiserver }` alone runs them) against the real
 * kube-apiserver over a real 3-member etcd: admission defaults, graceful pod deletion, status
 * subresources, merge patches with resourceVersion preconditions — what the fake does not model.
 */
const MEMBERS = ['etcd-1', 'etcd-2', 'etcd-3'];
const leases = { group: 'coordination.k8s.io', version: 'v1', resource: 'leases' };
const slices = { group: 'discovery.k8s.io', version: 'v1', resource: 'endpointslices' };

function cluster(): ApiHarness {
  const h = new ApiHarness({ etcdMembers: MEMBERS, etcdClient: { attemptTimeoutMs: 500, requestTimeoutMs: 3_000 }, config: { requestTimeoutMs: 10_000 } });
  for (const m of MEMBERS) h.sim.add(m, etcdMemberMachine, { members: MEMBERS });
  h.start();
  h.sim.add('kcm-0', controllerManagerMachine, { apiserver: APISERVER });
  return h;
}

function ok(h: ApiHarness, request: ApiRequest): ApiResponseMessage {
  for (let i = 0; i < 20; i++) {
    const r = h.call(request);
    if (r.code < 500) {
      if (r.code >= 300) throw new Error(`${request.verb} ${request.resource}: ${r.code} ${JSON.stringify(r.body)}`);
      return r;
    }
    h.run(500);
  }
  throw new Error(`${request.verb} ${request.resource} kept failing`);
}

const lease = (name: string, now: number) => ({
  apiVersion: 'coordination.k8s.io/v1', kind: 'Lease', metadata: { name, namespace: 'kube-node-lease' },
  spec: { holderIdentity: name, leaseDurationSeconds: 40, renewTime: microTime(now) },
});

describe('controllers against the real apiserver over real etcd', () => {
  it('node outage: Unknown, tainted, pods not ready and evicted after 300 s; endpoints follow', () => {
    const h = cluster();
    const live = new Set(['node-1', 'node-2', 'node-3']);
    for (const name of live) {
      const created = obj(ok(h, create(core('nodes'), undefined, nodeObject(name, h.sim.now))));
      ok(h, update(core('nodes'), undefined, name, { ...created, status: nodeObject(name, h.sim.now).status }, 'status'));
      ok(h, create(leases, 'kube-node-lease', lease(name, h.sim.now)));
    }
    const renew = (ms: number) => {
      const until = h.sim.now + ms;
      while (h.sim.now < until) {
        for (const name of live) {
          const current = obj(ok(h, get(leases, 'kube-node-lease', name)));
          ok(h, update(leases, 'kube-node-lease', name, { ...current, spec: { ...current.spec, renewTime: microTime(h.sim.now) } }));
        }
        h.run(Math.min(10_000, until - h.sim.now));
      }
    };
    ok(h, create(core('services'), 'default', {
      apiVersion: 'v1', kind: 'Service', metadata: { name: 'web' },
      spec: { selector: { app: 'web' }, ports: [{ name: 'http', port: 80, targetPort: 8080 }] },
    }));
    for (const [name, node, ip] of [['web-1', 'node-1', '10.244.1.5'], ['web-2', 'node-2', '10.244.2.5']]) {
      const created = obj(ok(h, create(core('pods'), 'default', {
        apiVersion: 'v1', kind: 'Pod', metadata: { name, labels: { app: 'web' } },
        spec: { nodeName: node, containers: [{ name: 'app', image: 'nginx:1.27' }] },
      })));
      // Admission gave it the 300 s not-ready/unreachable tolerations.
      expect(created.spec.tolerations.map((t: { key: string; tolerationSeconds: number }) => [t.key, t.tolerationSeconds])).toEqual([
        ['node.kubernetes.io/not-ready', 300], ['node.kubernetes.io/unreachable', 300],
      ]);
      const at = rfc3339(h.sim.now);
      ok(h, update(core('pods'), 'default', name, {
        ...created, status: { phase: 'Running', podIP: ip, podIPs: [{ ip }], conditions: [{ type: 'Ready', status: 'True', lastTransitionTime: at }] },
      }, 'status'));
    }
    ok(h, create(apps('deployments'), 'default', deployment('api', 2)));
    renew(5_000);
    const endpoints = () => obj(ok(h, get(core('endpoints'), 'default', 'web'))) as unknown as Endpoints;
    const readyIPs = () => (endpoints().subsets ?? []).flatMap((s) => s.addresses ?? []).map((a) => a.ip).sort();
    expect(readyIPs()).toEqual(['10.244.1.5', '10.244.2.5']);
    const slice = () => (obj(ok(h, list(slices, 'default'))).items as EndpointSlice[]).find((s) => s.metadata?.labels?.['kubernetes.io/service-name'] === 'web')!;
    expect(slice().endpoints.map((e) => [e.targetRef?.name, e.conditions?.ready])).toEqual([['web-1', true], ['web-2', true]]);
    // The ReplicaSet and Deployment controllers ran too (pods stay Pending: there is no scheduler here).
    const apiPods = (obj(ok(h, list(core('pods'), 'default'))).items as Pod[]).filter((p) => p.metadata?.labels?.app === 'api');
    expect(apiPods).toHaveLength(2);

    live.delete('node-1');
    renew(70_000);
    const node1 = obj(ok(h, get(core('nodes'), undefined, 'node-1'))) as unknown as Node;
    expect(node1.status?.conditions?.find((c) => c.type === 'Ready')).toMatchObject({ status: 'Unknown', reason: 'NodeStatusUnknown' });
    expect((node1.spec?.taints ?? []).map((t) => `${t.key}:${t.effect}`).sort()).toEqual([
      'node.kubernetes.io/unreachable:NoExecute', 'node.kubernetes.io/unreachable:NoSchedule',
    ]);
    expect(readyIPs()).toEqual(['10.244.2.5']);
    expect(slice().endpoints.map((e) => [e.targetRef?.name, e.conditions?.ready])).toEqual([['web-1', false], ['web-2', true]]);
    const web1 = () => obj(ok(h, get(core('pods'), 'default', 'web-1'))) as unknown as Pod;
    expect(web1().metadata?.deletionTimestamp).toBeUndefined();

    renew(300_000);
    // Evicted: marked a disruption target, then deleted gracefully (Terminating: its kubelet is gone).
    const evicted = web1();
    expect(evicted.metadata?.deletionTimestamp).toBeDefined();
    expect(evicted.status?.conditions?.find((c) => c.type === 'DisruptionTarget')).toMatchObject({ status: 'True', reason: 'DeletionByTaintManager' });
    expect(slice().endpoints.map((e) => [e.targetRef?.name, e.conditions?.terminating])).toEqual([['web-1', true], ['web-2', false]]);
    const node2 = obj(ok(h, get(core('nodes'), undefined, 'node-2'))) as unknown as Node;
    expect(node2.spec?.taints).toBeUndefined();
    expect(h.failures()).toEqual([]);
  });

  it('job: pods tracked by finalizer survive deletion until counted; the Job completes', () => {
    const h = cluster();
    const jobs = { group: 'batch', version: 'v1', resource: 'jobs' };
    ok(h, create(jobs, 'default', {
      apiVersion: 'batch/v1', kind: 'Job', metadata: { name: 'work' },
      spec: { completions: 2, parallelism: 2, template: { spec: { restartPolicy: 'Never', containers: [{ name: 'w', image: 'busybox:1.36' }] } } },
    }));
    const pods = () => (obj(ok(h, list(core('pods'), 'default'))).items as Pod[]).filter((p) => p.metadata?.labels?.['job-name'] === 'work');
    const job = () => obj(ok(h, get(jobs, 'default', 'work')));
    h.sim.runUntilTrue(() => pods().length === 2, 10_000);
    expect(pods().map((p) => p.metadata?.finalizers)).toEqual([['batch.kubernetes.io/job-tracking'], ['batch.kubernetes.io/job-tracking']]);
    // A deleted pod stays (Terminating) until the controller has counted it as failed and let it go.
    const [victim, survivor] = pods();
    ok(h, { verb: 'delete', ...core('pods'), namespace: 'default', name: victim.metadata!.name!, query: { gracePeriodSeconds: 0 } });
    h.run(3_000);
    expect(pods().some((p) => p.metadata?.name === victim.metadata?.name)).toBe(false);
    expect(job().status).toMatchObject({ failed: 1, active: 1 });
    // Its replacement waits out the 10 s failure back-off.
    h.run(10_000);
    expect(job().status).toMatchObject({ failed: 1, active: 2 });
    for (const p of pods()) {
      const at = rfc3339(h.sim.now);
      ok(h, update(core('pods'), 'default', p.metadata!.name!, { ...p, status: { phase: 'Succeeded', conditions: [{ type: 'Ready', status: 'False', lastTransitionTime: at }] } }, 'status'));
    }
    h.run(5_000);
    const done = job();
    expect(done.status.conditions.map((c: { type: string }) => c.type)).toEqual(['Complete']);
    expect(done.status).toMatchObject({ succeeded: 2, failed: 1, active: 0, uncountedTerminatedPods: {} });
    expect(pods().every((p) => !p.metadata?.finalizers)).toBe(true);
    expect(survivor.metadata?.name).toBeDefined();
  });
});

describe('garbage collector and namespace controller against the real apiserver', () => {
  const names = (h: ApiHarness, target: ReturnType<typeof apps>, namespace = 'default') =>
    (obj(ok(h, list(target, namespace))).items as { metadata: { name: string } }[]).map((o) => o.metadata.name);
  const pods = (h: ApiHarness, namespace = 'default') => (obj(ok(h, list(core('pods'), namespace))).items as Pod[]);

  function withDeployment(): ApiHarness {
    const h = cluster();
    ok(h, create(apps('deployments'), 'default', deployment('web', 2)));
    h.sim.runUntilTrue(() => pods(h).length === 2, 10_000);
    expect(names(h, apps('replicasets'))).toHaveLength(1);
    return h;
  }

  it('background: deleting a Deployment deletes its ReplicaSet, then its pods', () => {
    const h = withDeployment();
    ok(h, { verb: 'delete', ...apps('deployments'), namespace: 'default', name: 'web' });
    h.run(5_000);
    expect(names(h, apps('deployments'))).toEqual([]);
    expect(names(h, apps('replicasets'))).toEqual([]);
    expect(pods(h)).toEqual([]);
  });

  it('foreground: the Deployment stays (foregroundDeletion) until its ReplicaSet and pods are gone', () => {
    const h = withDeployment();
    const deleted = ok(h, { verb: 'delete', ...apps('deployments'), namespace: 'default', name: 'web', query: { propagationPolicy: 'Foreground' } });
    expect(obj(deleted).metadata.finalizers).toEqual(['foregroundDeletion']);
    const seen: string[] = [];
    h.sim.runUntilTrue(() => {
      const state = `${names(h, apps('deployments')).length}/${names(h, apps('replicasets')).length}/${pods(h).length}`;
      if (seen.at(-1) !== state) seen.push(state);
      return state === '0/0/0';
    }, 15_000);
    // Never the owner before its dependents.
    for (const state of seen) {
      const [d, rs, p] = state.split('/').map(Number);
      if (p > 0) expect(rs).toBe(1);
      if (rs > 0) expect(d).toBe(1);
    }
    expect(seen.at(-1)).toBe('0/0/0');
  });

  it('orphan: the ReplicaSet and pods stay, released from their owner', () => {
    const h = withDeployment();
    ok(h, { verb: 'delete', ...apps('deployments'), namespace: 'default', name: 'web', query: { propagationPolicy: 'Orphan' } });
    h.run(5_000);
    expect(names(h, apps('deployments'))).toEqual([]);
    const [rs] = obj(ok(h, list(apps('replicasets'), 'default'))).items as { metadata: { ownerReferences?: unknown[] } }[];
    expect(rs.metadata.ownerReferences).toBeUndefined();
    expect(pods(h)).toHaveLength(2);
  });

  it('a dependent whose owner never existed is collected', () => {
    const h = cluster();
    ok(h, create(core('configmaps'), 'default', {
      apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'leftover', ownerReferences: [{ apiVersion: 'apps/v1', kind: 'Deployment', name: 'ghost', uid: 'no-such-uid' }] },
    }));
    h.run(3_000);
    expect(names(h, core('configmaps') as ReturnType<typeof apps>).filter((n) => n === 'leftover')).toEqual([]);
  });

  it('namespace deletion drains the namespace, then finalizes and removes it', () => {
    const h = cluster();
    ok(h, create(core('namespaces'), undefined, { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'team' } }));
    ok(h, create(core('configmaps'), 'team', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'settings' }, data: { a: '1' } }));
    ok(h, create(apps('deployments'), 'team', deployment('api', 2)));
    h.sim.runUntilTrue(() => pods(h, 'team').length === 2, 10_000);
    const terminating = obj(ok(h, { verb: 'delete', ...core('namespaces'), name: 'team' }));
    expect(terminating.status.phase).toBe('Terminating');
    h.run(20_000);
    expect(h.call(get(core('namespaces'), undefined, 'team')).code).toBe(404);
    expect(pods(h, 'team')).toEqual([]);
    expect(names(h, apps('deployments'), 'team')).toEqual([]);
  });
});

