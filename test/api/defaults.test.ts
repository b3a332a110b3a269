import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import type { DaemonSet, Deployment, ReplicaSet } from 'kubernetes-types/apps/v1.js';
import type { Job } from 'kubernetes-types/batch/v1.js';
import type { Namespace, Node, Pod, Secret, Service } from 'kubernetes-types/core/v1.js';
import type { EndpointSlice } from 'kubernetes-types/discovery/v1.js';
import { addDefaultTolerations, applyDefaults, defaultForCreate, prepareForCreate } from '../../src/api/defaults.ts';
import { defaultImagePullPolicy } from '../../src/api/defaults/pod-spec.ts';

const numRuns = Number(process.env.FC_NUM_RUNS ?? 100);

const basePod = (): Pod => ({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name: 'web', namespace: 'default' },
  spec: {
    containers: [
      {
        name: 'app',
        image: 'nginx:1.25',
        ports: [{ containerPort: 80 }],
        resources: { limits: { cpu: '0.5', memory: '1024Mi' } },
        livenessProbe: { httpGet: { port: 80 } },
      },
    ],
    volumes: [{ name: 'scratch' }, { name: 'cfg', configMap: { name: 'cfg' } }],
  },
});

describe('Pod defaults', () => {
  it('fills what kube-apiserver fills', () => {
    const pod = applyDefaults(basePod());
    const spec = pod.spec!;
    expect(spec.restartPolicy).toBe('Always');
    expect(spec.dnsPolicy).toBe('ClusterFirst');
    expect(spec.schedulerName).toBe('default-scheduler');
    expect(spec.terminationGracePeriodSeconds).toBe(30);
    expect(spec.securityContext).toEqual({});
    expect(spec.enableServiceLinks).toBe(true);
    expect(spec.priority).toBe(0);
    expect(spec.preemptionPolicy).toBe('PreemptLowerPriority');
    const c = spec.containers[0];
    expect(c.imagePullPolicy).toBe('IfNotPresent');
    expect(c.terminationMessagePath).toBe('/dev/termination-log');
    expect(c.terminationMessagePolicy).toBe('File');
    expect(c.ports![0].protocol).toBe('TCP');
    // Limits are canonicalized and copied into requests.
    expect(c.resources).toEqual({ limits: { cpu: '500m', memory: '1Gi' }, requests: { cpu: '500m', memory: '1Gi' } });
    expect(c.livenessProbe).toEqual({
      httpGet: { port: 80, path: '/', scheme: 'HTTP' },
      timeoutSeconds: 1,
      periodSeconds: 10,
      successThreshold: 1,
      failureThreshold: 3,
    });
    expect(spec.volumes).toEqual([
      { name: 'scratch', emptyDir: {} },
      { name: 'cfg', configMap: { name: 'cfg', defaultMode: 420 } },
    ]);
    expect(spec.tolerations).toBeUndefined(); // admission, not defaulting
  });

  it.each([
    ['nginx', 'Always'],
    ['nginx:latest', 'Always'],
    ['registry.local:5000/team/app', 'Always'],
    ['nginx:1.25', 'IfNotPresent'],
    ['nginx@sha256:' + 'a'.repeat(64), 'IfNotPresent'],
    ['Nginx', 'IfNotPresent'], // unparseable reference
  ])('image %s pulls %s', (image, policy) => {
    expect(defaultImagePullPolicy(image)).toBe(policy);
  });

  it('rounds sub-milli quantities up and leaves the input untouched', () => {
    const input = basePod();
    input.spec!.containers[0].resources = { requests: { cpu: '100u' } };
    const out = applyDefaults(input);
    expect(out.spec!.containers[0].resources!.requests).toEqual({ cpu: '1m' });
    expect(input.spec!.containers[0].resources!.requests).toEqual({ cpu: '100u' });
  });

  it('sets host ports on hostNetwork pods and resolves system priority classes', () => {
    const input = basePod();
    input.spec!.hostNetwork = true;
    input.spec!.priorityClassName = 'system-node-critical';
    const spec = applyDefaults(input).spec!;
    expect(spec.containers[0].ports![0].hostPort).toBe(80);
    expect(spec.priority).toBe(2000001000);
  });

  it('prepares status on create, with QoS class', () => {
    // Limits for cpu and memory with requests defaulted to them: Guaranteed.
    const created = defaultForCreate({ ...basePod(), status: { phase: 'Running' } });
    expect(created.status).toEqual({ phase: 'Pending', qosClass: 'Guaranteed' });
    const burstable = basePod();
    burstable.spec!.containers[0].resources = { requests: { cpu: '1' }, limits: { memory: '1Gi' } };
    expect(defaultForCreate(burstable).status!.qosClass).toBe('Burstable');
    const bestEffort = basePod();
    delete bestEffort.spec!.containers[0].resources;
    expect(defaultForCreate(bestEffort).status!.qosClass).toBe('BestEffort');
  });
});

describe('addDefaultTolerations (DefaultTolerationSeconds admission)', () => {
  it('adds not-ready and unreachable NoExecute tolerations for 300s', () => {
    const pod = addDefaultTolerations(applyDefaults(basePod()));
    expect(pod.spec!.tolerations).toEqual([
      { key: 'node.kubernetes.io/not-ready', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 300 },
      { key: 'node.kubernetes.io/unreachable', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 300 },
    ]);
  });

  it('keeps existing tolerations that already cover the taints', () => {
    const input = basePod();
    input.spec!.tolerations = [{ key: 'node.kubernetes.io/unreachable', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 10 }];
    const out = addDefaultTolerations(input);
    expect(out.spec!.tolerations!.map((t) => t.key)).toEqual(['node.kubernetes.io/unreachable', 'node.kubernetes.io/not-ready']);
    const tolerateAll = { ...basePod(), spec: { ...basePod().spec!, tolerations: [{ operator: 'Exists' }] } };
    expect(addDefaultTolerations(tolerateAll)).toBe(tolerateAll);
  });
});

const deployment = (): Deployment => ({
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: { name: 'web', namespace: 'default' },
  spec: {
    selector: { matchLabels: { app: 'web' } },
    template: { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'app', image: 'nginx' }] } },
  },
});

describe('workload defaults', () => {
  it('Deployment', () => {
    const d = applyDefaults(deployment());
    expect(d.spec!.replicas).toBe(1);
    expect(d.spec!.strategy).toEqual({ type: 'RollingUpdate', rollingUpdate: { maxUnavailable: '25%', maxSurge: '25%' } });
    expect(d.spec!.revisionHistoryLimit).toBe(10);
    expect(d.spec!.progressDeadlineSeconds).toBe(600);
    const tpl = d.spec!.template.spec!;
    expect(tpl.restartPolicy).toBe('Always');
    expect(tpl.containers[0].imagePullPolicy).toBe('Always');
    // Pod-only defaults do not apply to templates.
    expect(tpl.enableServiceLinks).toBeUndefined();
    expect(tpl.priority).toBeUndefined();
    const created = defaultForCreate(d);
    expect(created.metadata!.generation).toBe(1);
    expect(created.status).toEqual({});
  });

  it('Recreate strategies get no rolling parameters', () => {
    const d = deployment();
    d.spec!.strategy = { type: 'Recreate' };
    expect(applyDefaults(d).spec!.strategy).toEqual({ type: 'Recreate' });
  });

  it('ReplicaSet and DaemonSet', () => {
    const rs: ReplicaSet = { apiVersion: 'apps/v1', kind: 'ReplicaSet', metadata: { name: 'web-1' }, spec: deployment().spec! };
    expect(applyDefaults(rs).spec!.replicas).toBe(1);
    expect(defaultForCreate(rs).status).toEqual({ replicas: 0 });
    const ds: DaemonSet = { apiVersion: 'apps/v1', kind: 'DaemonSet', metadata: { name: 'agent' }, spec: deployment().spec! };
    const out = defaultForCreate(ds);
    expect(out.spec!.updateStrategy).toEqual({ type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 1, maxSurge: 0 } });
    expect(out.spec!.revisionHistoryLimit).toBe(10);
    expect(out.metadata!.annotations).toEqual({ 'deprecated.daemonset.template.generation': '1' });
  });

  it('Job: defaults, completions rules and the generated selector', () => {
    const job: Job = {
      apiVersion: 'batch/v1',
      kind: 'Job',
      metadata: { name: 'pi', namespace: 'default', uid: 'u-1' },
      spec: { template: { metadata: { labels: { app: 'pi' } }, spec: { containers: [{ name: 'pi', image: 'perl' }], restartPolicy: 'Never' } } },
    };
    const d = applyDefaults(job);
    expect(d.spec).toMatchObject({
      parallelism: 1,
      completions: 1,
      backoffLimit: 6,
      completionMode: 'NonIndexed',
      suspend: false,
      manualSelector: false,
      podReplacementPolicy: 'TerminatingOrFailed',
    });
    expect(d.metadata!.labels).toEqual({ app: 'pi' });
    const workQueue = applyDefaults({ ...job, spec: { ...job.spec!, parallelism: 3 } });
    expect(workQueue.spec!.completions).toBeUndefined();
    const created = prepareForCreate(d);
    expect(created.spec!.selector).toEqual({ matchLabels: { 'batch.kubernetes.io/controller-uid': 'u-1' } });
    expect(created.spec!.template.metadata!.labels).toEqual({
      app: 'pi',
      'batch.kubernetes.io/controller-uid': 'u-1',
      'batch.kubernetes.io/job-name': 'pi',
      'controller-uid': 'u-1',
      'job-name': 'pi',
    });
    const manual = prepareForCreate(applyDefaults({ ...job, spec: { ...job.spec!, manualSelector: true } }));
    expect(manual.spec!.selector).toBeUndefined();
  });
});

describe('core kind defaults', () => {
  const service = (type?: string): Service => ({
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name: 'web', namespace: 'default' },
    spec: { ...(type ? { type } : {}), selector: { app: 'web' }, ports: [{ port: 80 }, { port: 443, targetPort: 8443 }] },
  });

  it('Service', () => {
    const s = defaultForCreate(service());
    expect(s.spec).toMatchObject({
      type: 'ClusterIP',
      sessionAffinity: 'None',
      internalTrafficPolicy: 'Cluster',
      ipFamilyPolicy: 'SingleStack',
      ipFamilies: ['IPv4'],
    });
    expect(s.spec!.ports).toEqual([
      { port: 80, protocol: 'TCP', targetPort: 80 },
      { port: 443, protocol: 'TCP', targetPort: 8443 },
    ]);
    expect(s.spec!.externalTrafficPolicy).toBeUndefined();
    const np = applyDefaults(service('NodePort'));
    expect(np.spec!.externalTrafficPolicy).toBe('Cluster');
    const lb = applyDefaults(service('LoadBalancer'));
    expect(lb.spec!.allocateLoadBalancerNodePorts).toBe(true);
    expect(defaultForCreate(service('ExternalName')).spec!.ipFamilies).toBeUndefined();
  });

  it('Namespace, Secret, Node, EndpointSlice', () => {
    const ns = defaultForCreate<Namespace>({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'team-a' } });
    expect(ns.metadata!.labels).toEqual({ 'kubernetes.io/metadata.name': 'team-a' });
    expect(ns.spec).toEqual({ finalizers: ['kubernetes'] });
    expect(ns.status).toEqual({ phase: 'Active' });
    expect(applyDefaults<Secret>({ apiVersion: 'v1', kind: 'Secret', metadata: { name: 's' } }).type).toBe('Opaque');
    const node = applyDefaults<Node>({ apiVersion: 'v1', kind: 'Node', metadata: { name: 'n' }, status: { capacity: { cpu: '4', memory: '8388608Ki', pods: '110' } } });
    expect(node.status!.allocatable).toEqual({ cpu: '4', memory: '8Gi', pods: '110' });
    const slice = applyDefaults<EndpointSlice>({ apiVersion: 'discovery.k8s.io/v1', kind: 'EndpointSlice', addressType: 'IPv4', endpoints: [], ports: [{ port: 80 }] });
    expect(slice.ports).toEqual([{ port: 80, name: '', protocol: 'TCP' }]);
  });
});

// ---- idempotence -----------------------------------------------------------------------------

// Quantities on the 1Ki grid or decimal: binary values off the grid legitimately change on a
// second decode (see quantity.test.ts), in Kubernetes as here.
const quantityArb = fc.constantFrom('100m', '0.5', '1', '1.5', '2Gi', '512Mi', '1024Mi', '1e3', '1k', '100u', '+1', '250m');
const imageArb = fc.constantFrom('nginx', 'nginx:1.25', 'nginx:latest', 'gcr.io/x/y@sha256:' + 'b'.repeat(64), 'Bad');
const probeArb = fc.option(fc.record({ httpGet: fc.record({ port: fc.integer({ min: 1, max: 9000 }) }), periodSeconds: fc.option(fc.integer({ min: 1, max: 30 }), { nil: undefined }) }), { nil: undefined });
const containerArb = fc.record({
  name: fc.constantFrom('a', 'b', 'c'),
  image: imageArb,
  imagePullPolicy: fc.option(fc.constantFrom('Always', 'Never'), { nil: undefined }),
  ports: fc.option(fc.array(fc.record({ containerPort: fc.integer({ min: 1, max: 65535 }) }), { maxLength: 2 }), { nil: undefined }),
  resources: fc.option(
    fc.record({
      limits: fc.option(fc.dictionary(fc.constantFrom('cpu', 'memory'), quantityArb), { nil: undefined }),
      requests: fc.option(fc.dictionary(fc.constantFrom('cpu', 'memory'), quantityArb), { nil: undefined }),
    }),
    { nil: undefined },
  ),
  readinessProbe: probeArb,
});
const podSpecArb = fc.record({
  containers: fc.array(containerArb, { minLength: 1, maxLength: 3 }),
  restartPolicy: fc.option(fc.constantFrom('Always', 'Never', 'OnFailure'), { nil: undefined }),
  hostNetwork: fc.option(fc.boolean(), { nil: undefined }),
  volumes: fc.option(fc.array(fc.record({ name: fc.constantFrom('v1', 'v2') }), { maxLength: 2 }), { nil: undefined }),
  priorityClassName: fc.option(fc.constantFrom('', 'system-cluster-critical', 'custom'), { nil: undefined }),
});
const metaArb = fc.record({ name: fc.constantFrom('web', 'db'), namespace: fc.constant('default'), uid: fc.constant('uid-1') });
const templateArb = fc.record({ metadata: fc.record({ labels: fc.constant({ app: 'x' }) }), spec: podSpecArb });

const objectArb = fc.oneof(
  fc.record({ apiVersion: fc.constant('v1'), kind: fc.constant('Pod'), metadata: metaArb, spec: podSpecArb }),
  fc.record({
    apiVersion: fc.constant('apps/v1'),
    kind: fc.constantFrom('Deployment', 'ReplicaSet', 'DaemonSet'),
    metadata: metaArb,
    spec: fc.record({
      replicas: fc.option(fc.integer({ min: 0, max: 5 }), { nil: undefined }),
      selector: fc.constant({ matchLabels: { app: 'x' } }),
      template: templateArb,
      strategy: fc.option(fc.record({ type: fc.constantFrom('Recreate', 'RollingUpdate') }), { nil: undefined }),
    }),
  }),
  fc.record({
    apiVersion: fc.constant('batch/v1'),
    kind: fc.constant('Job'),
    metadata: metaArb,
    spec: fc.record({
      parallelism: fc.option(fc.integer({ min: 0, max: 5 }), { nil: undefined }),
      completions: fc.option(fc.integer({ min: 0, max: 5 }), { nil: undefined }),
      manualSelector: fc.option(fc.boolean(), { nil: undefined }),
      template: templateArb,
    }),
  }),
  fc.record({
    apiVersion: fc.constant('v1'),
    kind: fc.constant('Service'),
    metadata: metaArb,
    spec: fc.record({
      type: fc.option(fc.constantFrom('ClusterIP', 'NodePort', 'LoadBalancer', 'ExternalName'), { nil: undefined }),
      clusterIP: fc.option(fc.constant('None'), { nil: undefined }),
      ports: fc.array(fc.record({ port: fc.integer({ min: 1, max: 65535 }), targetPort: fc.option(fc.oneof(fc.integer({ min: 0, max: 9 }), fc.constantFrom('', 'http')), { nil: undefined }) }), { maxLength: 3 }),
    }),
  }),
  fc.record({ apiVersion: fc.constant('v1'), kind: fc.constant('Namespace'), metadata: fc.record({ name: fc.constantFrom('a', 'b') }) }),
  fc.record({ apiVersion: fc.constant('v1'), kind: fc.constant('Secret'), metadata: metaArb, type: fc.option(fc.constant('kubernetes.io/tls'), { nil: undefined }) }),
);

/** JSON view: what a client would see; undefined-valued keys are not fields. */
const json = (x: unknown) => JSON.parse(JSON.stringify(x));

describe('defaulting properties', () => {
  it('applyDefaults is idempotent and pure', () => {
    fc.assert(
      fc.property(objectArb, (obj) => {
        const before = json(obj);
        const once = applyDefaults(obj);
        expect(json(applyDefaults(once))).toEqual(json(once));
        expect(json(obj)).toEqual(before);
      }),
      { numRuns },
    );
  });

  it('defaultForCreate is idempotent', () => {
    fc.assert(
      fc.property(objectArb, (obj) => {
        const once = defaultForCreate(obj);
        expect(json(defaultForCreate(once))).toEqual(json(once));
      }),
      { numRuns },
    );
  });
});
