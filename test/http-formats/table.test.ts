import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import type { Pod } from 'kubernetes-types/core/v1.js';
import { rfc3339 } from '../../src/kubelet/format.ts';
import { includeObjectError, toTable } from '../../src/http/table/index.ts';
import { numRuns } from '../fc.ts';

const NOW = 10 * 60_000; // ten minutes after the epoch
const created = rfc3339(5 * 60_000); // five minutes old

/** kubectl upper-cases the column names: these are the headers `kubectl get -o wide` prints. */
function headers(table: { columnDefinitions: { name: string; priority: number }[] }, wide = true): string[] {
  return table.columnDefinitions.filter((c) => wide || c.priority === 0).map((c) => c.name.toUpperCase());
}

const runningPod: Pod = {
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name: 'web-1', namespace: 'default', uid: 'u1', resourceVersion: '42', creationTimestamp: created, labels: { app: 'web' } },
  spec: { nodeName: 'node-1', containers: [{ name: 'nginx', image: 'nginx:1.25' }] },
  status: {
    phase: 'Running',
    podIP: '10.244.1.5',
    podIPs: [{ ip: '10.244.1.5' }],
    conditions: [{ type: 'Ready', status: 'True' }],
    containerStatuses: [{ name: 'nginx', ready: true, restartCount: 0, image: 'nginx:1.25', imageID: '', state: { running: { startedAt: created } } }],
  },
};

describe('server-side Table', () => {
  it('prints pods with the columns and cells of kube-apiserver, wide columns included', () => {
    const list = { kind: 'PodList', apiVersion: 'v1', metadata: { resourceVersion: '99', continue: 'abc', remainingItemCount: 3 }, items: [runningPod] };
    const table = toTable('pods', list, {}, NOW);
    expect(table.kind).toBe('Table');
    expect(table.apiVersion).toBe('meta.k8s.io/v1');
    expect(table.metadata).toEqual({ resourceVersion: '99', continue: 'abc', remainingItemCount: 3 });
    expect(headers(table, false)).toEqual(['NAME', 'READY', 'STATUS', 'RESTARTS', 'AGE']);
    expect(headers(table)).toEqual(['NAME', 'READY', 'STATUS', 'RESTARTS', 'AGE', 'IP', 'NODE', 'NOMINATED NODE', 'READINESS GATES']);
    expect(table.columnDefinitions[0]).toMatchObject({ name: 'Name', type: 'string', format: 'name', priority: 0 });
    expect(table.rows[0].cells).toEqual(['web-1', '1/1', 'Running', '0', '5m', '10.244.1.5', 'node-1', '<none>', '<none>']);
  });

  it('answers includeObject as the handler does: PartialObjectMetadata by default, the object, or null', () => {
    const meta = toTable('pods', runningPod, {}, NOW).rows[0].object;
    expect(meta).toEqual({ kind: 'PartialObjectMetadata', apiVersion: 'meta.k8s.io/v1', metadata: runningPod.metadata });
    const { apiVersion: _a, kind: _k, ...bare } = runningPod; // list items carry no type meta
    const full = toTable('pods', { items: [bare] }, { includeObject: 'Object' }, NOW).rows[0].object as Pod;
    expect(full.apiVersion).toBe('v1');
    expect(full.kind).toBe('Pod');
    expect(full.spec).toEqual(runningPod.spec);
    expect(toTable('pods', runningPod, { includeObject: 'None' }, NOW).rows[0].object).toBeNull();
    expect(includeObjectError('Everything')).toBe('unrecognized includeObject value: "Everything"');
    expect(includeObjectError('Object')).toBeUndefined();
  });

  it('takes one object as a one-row table carrying its resourceVersion', () => {
    const table = toTable('pods', runningPod, {}, NOW);
    expect(table.rows).toHaveLength(1);
    expect(table.metadata).toEqual({ resourceVersion: '42' });
  });

  it('marks pending, unscheduled pods and completed ones', () => {
    const pending: Pod = { metadata: { name: 'big', creationTimestamp: created }, spec: { containers: [{ name: 'c', image: 'x' }] }, status: { phase: 'Pending' } };
    const row = toTable('pods', pending, {}, NOW).rows[0];
    expect(row.cells).toEqual(['big', '0/1', 'Pending', '0', '5m', '<none>', '<none>', '<none>', '<none>']);
    const done = toTable('pods', { ...pending, status: { phase: 'Succeeded' } }, {}, NOW).rows[0];
    expect(done.conditions).toEqual([{ type: 'Completed', status: 'True', reason: 'Succeeded', message: 'The pod has completed successfully.' }]);
  });

  it('prints nodes: Ready/NotReady, SchedulingDisabled, roles, addresses', () => {
    const node = {
      metadata: { name: 'node-1', creationTimestamp: created, labels: { 'node-role.kubernetes.io/control-plane': '', 'kubernetes.io/role': 'worker' } },
      spec: { unschedulable: true },
      status: {
        conditions: [{ type: 'Ready', status: 'True' }],
        addresses: [{ type: 'InternalIP', address: '172.18.0.2' }, { type: 'Hostname', address: 'node-1' }],
        nodeInfo: { kubeletVersion: 'v1.30.0', osImage: 'Debian GNU/Linux 12 (bookworm)', kernelVersion: '6.1.0', containerRuntimeVersion: 'containerd://1.7.13' },
      },
    };
    const table = toTable('nodes', { items: [node, { metadata: { name: 'node-2', creationTimestamp: created }, status: { conditions: [{ type: 'Ready', status: 'Unknown' }] } }] }, {}, NOW);
    expect(headers(table)).toEqual(['NAME', 'STATUS', 'ROLES', 'AGE', 'VERSION', 'INTERNAL-IP', 'EXTERNAL-IP', 'OS-IMAGE', 'KERNEL-VERSION', 'CONTAINER-RUNTIME']);
    expect(table.rows[0].cells).toEqual(['node-1', 'Ready,SchedulingDisabled', 'control-plane,worker', '5m', 'v1.30.0', '172.18.0.2', '<none>', 'Debian GNU/Linux 12 (bookworm)', '6.1.0', 'containerd://1.7.13']);
    expect(table.rows[1].cells).toEqual(['node-2', 'NotReady', '<none>', '5m', '', '<none>', '<none>', '<unknown>', '<unknown>', '<unknown>']);
  });

  it('prints deployments and replicasets with their wide container, image and selector columns', () => {
    const template = { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'nginx', image: 'nginx:1.25' }, { name: 'log', image: 'busybox' }] } };
    const deploy = { metadata: { name: 'web', creationTimestamp: created }, spec: { replicas: 3, selector: { matchLabels: { app: 'web', tier: 'fe' } }, template }, status: { readyReplicas: 2, updatedReplicas: 3, availableReplicas: 2 } };
    const d = toTable('deployments.apps', deploy, {}, NOW);
    expect(headers(d)).toEqual(['NAME', 'READY', 'UP-TO-DATE', 'AVAILABLE', 'AGE', 'CONTAINERS', 'IMAGES', 'SELECTOR']);
    expect(d.rows[0].cells).toEqual(['web', '2/3', 3, 2, '5m', 'nginx,log', 'nginx:1.25,busybox', 'app=web,tier=fe']);
    const rs = { metadata: { name: 'web-7d4b9c', creationTimestamp: created }, spec: { replicas: 3, selector: { matchExpressions: [{ key: 'app', operator: 'In', values: ['web', 'api'] }] }, template }, status: { replicas: 3 } };
    const r = toTable('replicasets', rs, {}, NOW);
    expect(headers(r)).toEqual(['NAME', 'DESIRED', 'CURRENT', 'READY', 'AGE', 'CONTAINERS', 'IMAGES', 'SELECTOR']);
    expect(r.rows[0].cells).toEqual(['web-7d4b9c', 3, 3, 0, '5m', 'nginx,log', 'nginx:1.25,busybox', 'app in (api,web)']);
  });

  it('prints services of each type', () => {
    const svc = (name: string, spec: object, status: object = {}) => ({ metadata: { name, creationTimestamp: created }, spec, status });
    const table = toTable('services', {
      items: [
        svc('kube-dns', { type: 'ClusterIP', clusterIPs: ['10.96.0.10'], selector: { 'k8s-app': 'kube-dns' }, ports: [{ port: 53, protocol: 'UDP' }, { port: 53, protocol: 'TCP' }, { port: 9153, protocol: 'TCP' }] }),
        svc('web', { type: 'NodePort', clusterIPs: ['10.96.12.7'], ports: [{ port: 80, nodePort: 30080, protocol: 'TCP' }] }),
        svc('lb', { type: 'LoadBalancer', clusterIPs: ['10.96.3.3'], ports: [{ port: 443, protocol: 'TCP' }] }),
        svc('ext', { type: 'ExternalName', externalName: 'example.com' }),
      ],
    }, {}, NOW);
    expect(headers(table)).toEqual(['NAME', 'TYPE', 'CLUSTER-IP', 'EXTERNAL-IP', 'PORT(S)', 'AGE', 'SELECTOR']);
    expect(table.rows.map((r) => r.cells)).toEqual([
      ['kube-dns', 'ClusterIP', '10.96.0.10', '<none>', '53/UDP,53/TCP,9153/TCP', '5m', 'k8s-app=kube-dns'],
      ['web', 'NodePort', '10.96.12.7', '<none>', '80:30080/TCP', '5m', '<none>'],
      ['lb', 'LoadBalancer', '10.96.3.3', '<pending>', '443/TCP', '5m', '<none>'],
      ['ext', 'ExternalName', '<none>', 'example.com', '<none>', '5m', '<none>'],
    ]);
  });

  it('prints endpoints and endpoint slices with at most three addresses', () => {
    const addresses = ['10.244.1.2', '10.244.2.3', '10.244.3.4', '10.244.1.9'].map((ip) => ({ ip }));
    const ep = { metadata: { name: 'web', creationTimestamp: created }, subsets: [{ addresses, ports: [{ port: 80, protocol: 'TCP' }] }] };
    expect(toTable('endpoints', ep, {}, NOW).rows[0].cells).toEqual(['web', '10.244.1.2:80,10.244.2.3:80,10.244.3.4:80 + 1 more...', '5m']);
    expect(toTable('endpoints', { metadata: { name: 'none', creationTimestamp: created } }, {}, NOW).rows[0].cells).toEqual(['none', '<none>', '5m']);
    const slice = { metadata: { name: 'web-abcde', creationTimestamp: created }, addressType: 'IPv4', ports: [{ port: 80, name: 'http' }], endpoints: [{ addresses: ['10.244.1.2'] }, { addresses: ['10.244.2.3'] }] };
    const t = toTable('endpointslices.discovery.k8s.io', slice, {}, NOW);
    expect(headers(t)).toEqual(['NAME', 'ADDRESSTYPE', 'PORTS', 'ENDPOINTS', 'AGE']);
    expect(t.rows[0].cells).toEqual(['web-abcde', 'IPv4', '80', '10.244.1.2,10.244.2.3', '5m']);
  });

  it('prints events as `kubectl get events` shows them, from either API group', () => {
    const core = {
      apiVersion: 'v1', kind: 'Event',
      metadata: { name: 'web-1.17c', creationTimestamp: created },
      involvedObject: { kind: 'Pod', name: 'web-1', fieldPath: 'spec.containers{nginx}' },
      reason: 'Pulling', message: 'Pulling image "nginx:1.25"', type: 'Normal',
      source: { component: 'kubelet', host: 'node-1' }, firstTimestamp: rfc3339(6 * 60_000), lastTimestamp: rfc3339(8 * 60_000), count: 2,
    };
    const t = toTable('events', core, {}, NOW);
    expect(headers(t, false)).toEqual(['LAST SEEN', 'TYPE', 'REASON', 'OBJECT', 'MESSAGE']);
    expect(headers(t)).toEqual(['LAST SEEN', 'TYPE', 'REASON', 'OBJECT', 'SUBOBJECT', 'SOURCE', 'MESSAGE', 'FIRST SEEN', 'COUNT', 'NAME']);
    expect(t.rows[0].cells).toEqual(['2m', 'Normal', 'Pulling', 'pod/web-1', 'spec.containers{nginx}', 'kubelet, node-1', 'Pulling image "nginx:1.25"', '4m', 2, 'web-1.17c']);
    const v1 = {
      apiVersion: 'events.k8s.io/v1', kind: 'Event', metadata: { name: 'big.1', creationTimestamp: created },
      eventTime: '2024-04-17T00:07:00.000000Z', regarding: { kind: 'Pod', name: 'big' }, reason: 'FailedScheduling',
      note: '0/3 nodes are available: 3 Insufficient cpu.', type: 'Warning', reportingController: 'default-scheduler', reportingInstance: 'default-scheduler-scheduler-0',
    };
    expect(toTable('events.events.k8s.io', v1, {}, NOW).rows[0].cells).toEqual([
      '3m', 'Warning', 'FailedScheduling', 'pod/big', '', 'default-scheduler, default-scheduler-scheduler-0', '0/3 nodes are available: 3 Insufficient cpu.', '3m', 1, 'big.1',
    ]);
  });

  it('prints configmaps, secrets, namespaces, leases, jobs and daemonsets', () => {
    const meta = (name: string) => ({ name, creationTimestamp: created });
    expect(toTable('configmaps', { metadata: meta('demo-config'), data: { env: 'prod' }, binaryData: { b: 'AA==' } }, {}, NOW).rows[0].cells).toEqual(['demo-config', 2, '5m']);
    expect(toTable('secrets', { metadata: meta('s'), type: 'Opaque', data: { a: 'YQ==' } }, {}, NOW).rows[0].cells).toEqual(['s', 'Opaque', 1, '5m']);
    expect(toTable('namespaces', { metadata: meta('default'), status: { phase: 'Active' } }, {}, NOW).rows[0].cells).toEqual(['default', 'Active', '5m']);
    expect(toTable('leases', { metadata: meta('node-1'), spec: { holderIdentity: 'node-1' } }, {}, NOW).rows[0].cells).toEqual(['node-1', 'node-1', '5m']);
    const job = { metadata: meta('pi'), spec: { completions: 1, selector: { matchLabels: { 'batch.kubernetes.io/controller-uid': 'u' } }, template: { spec: { containers: [{ name: 'pi', image: 'perl' }] } } }, status: { succeeded: 1, startTime: rfc3339(5 * 60_000), completionTime: rfc3339(5 * 60_000 + 42_000), conditions: [{ type: 'Complete', status: 'True' }] } };
    const jt = toTable('jobs.batch', job, {}, NOW);
    expect(headers(jt)).toEqual(['NAME', 'STATUS', 'COMPLETIONS', 'DURATION', 'AGE', 'CONTAINERS', 'IMAGES', 'SELECTOR']);
    expect(jt.rows[0].cells).toEqual(['pi', 'Complete', '1/1', '42s', '5m', 'pi', 'perl', 'batch.kubernetes.io/controller-uid=u']);
    const ds = { metadata: meta('kube-proxy'), spec: { selector: { matchLabels: { 'k8s-app': 'kube-proxy' } }, template: { spec: { nodeSelector: { 'kubernetes.io/os': 'linux' }, containers: [{ name: 'kube-proxy', image: 'registry.k8s.io/kube-proxy:v1.30.0' }] } } }, status: { desiredNumberScheduled: 3, currentNumberScheduled: 3, numberReady: 3, updatedNumberScheduled: 3, numberAvailable: 3 } };
    const dt = toTable('daemonsets', ds, {}, NOW);
    expect(headers(dt)).toEqual(['NAME', 'DESIRED', 'CURRENT', 'READY', 'UP-TO-DATE', 'AVAILABLE', 'NODE SELECTOR', 'AGE', 'CONTAINERS', 'IMAGES', 'SELECTOR']);
    expect(dt.rows[0].cells).toEqual(['kube-proxy', 3, 3, 3, 3, 3, 'kubernetes.io/os=linux', '5m', 'kube-proxy', 'registry.k8s.io/kube-proxy:v1.30.0', 'k8s-app=kube-proxy']);
  });

  it('falls back to NAME / Created At for resources without a printer', () => {
    const t = toTable('widgets.example.com', { items: [{ metadata: { name: 'w', creationTimestamp: created } }] }, {}, NOW);
    expect(t.columnDefinitions.map((c) => [c.name, c.type])).toEqual([['Name', 'string'], ['Created At', 'date']]);
    expect(t.rows[0].cells).toEqual(['w', created]);
  });

  it('never throws and keeps every row as wide as the columns, whatever the objects hold', () => {
    const resources = ['pods', 'nodes', 'services', 'endpoints', 'endpointslices', 'configmaps', 'secrets', 'namespaces', 'serviceaccounts', 'events', 'leases', 'deployments', 'replicasets', 'daemonsets', 'jobs', 'unknown'];
    fc.assert(
      fc.property(fc.constantFrom(...resources), fc.array(fc.jsonValue(), { maxLength: 4 }), (resource, items) => {
        const table = toTable(resource, { items }, { includeObject: 'Object' }, NOW);
        for (const row of table.rows) expect(row.cells).toHaveLength(table.columnDefinitions.length);
      }),
      { numRuns: numRuns(200) },
    );
  });
});
