import { describe, expect, it } from 'vitest';
import type { Deployment } from 'kubernetes-types/apps/v1.js';
import type { Job } from 'kubernetes-types/batch/v1.js';
import type { ConfigMap, Pod, Secret, Service } from 'kubernetes-types/core/v1.js';
import { addDefaultTolerations, defaultForCreate } from '../../src/api/defaults.ts';
import { causeToString, formatInvalidMessage, validateUpdate, type Cause } from '../../src/api/validation.ts';
import { UPDATABLE_POD_SPEC_FIELDS } from '../../src/api/validation/pod.ts';

const messages = (causes: readonly Cause[]) => causes.map(causeToString);
const stored = <T extends { metadata?: object }>(obj: T): T => ({
  ...obj,
  metadata: { ...obj.metadata, uid: 'uid-1', resourceVersion: '7', creationTimestamp: '2024-05-01T10:00:00Z' },
});
const clone = <T>(x: T): T => structuredClone(x);

describe('metadata on update', () => {
  it('keeps name, namespace and uid immutable and requires a resourceVersion', () => {
    const old = stored(defaultForCreate<ConfigMap>({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c', namespace: 'd' } }));
    const next = clone(old);
    next.metadata = { ...next.metadata, name: 'c2', uid: 'other', resourceVersion: '' };
    expect(messages(validateUpdate(old, next))).toEqual([
      'metadata.resourceVersion: Invalid value: "": must be specified for an update',
      'metadata.name: Invalid value: "c2": field is immutable',
      'metadata.uid: Invalid value: "other": field is immutable',
    ]);
    const moved = clone(old);
    moved.metadata = { ...moved.metadata, creationTimestamp: '2024-05-02T10:00:00Z' };
    expect(messages(validateUpdate(old, moved))).toEqual(['metadata.creationTimestamp: Invalid value: 2024-05-02 10:00:00 +0000 UTC: field is immutable']);
  });

  it('forbids new finalizers once deletion started', () => {
    const old = stored(defaultForCreate<ConfigMap>({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c', namespace: 'd', finalizers: ['a.io/x'] } }));
    const deleting = { ...old, metadata: { ...old.metadata, deletionTimestamp: '2024-05-01T11:00:00Z', deletionGracePeriodSeconds: 0 } };
    const next = { ...deleting, metadata: { ...deleting.metadata, finalizers: ['a.io/x', 'b.io/y'] } };
    expect(messages(validateUpdate(deleting, next))).toEqual([
      'metadata.finalizers: Forbidden: no new finalizers can be added if the object is being deleted, found new finalizers []string{"b.io/y"}',
    ]);
  });
});

describe('workload immutability', () => {
  const deployment = stored(
    defaultForCreate<Deployment>({
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'web', namespace: 'default' },
      spec: {
        selector: { matchLabels: { app: 'web' } },
        template: { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'app', image: 'nginx:1.25' }] } },
      },
    }),
  );

  it('lets replicas and the template change', () => {
    const next = clone(deployment);
    next.spec!.replicas = 5;
    next.spec!.template.spec!.containers[0].image = 'nginx:1.26';
    expect(validateUpdate(deployment, next)).toEqual([]);
  });

  it('rejects a changed selector with the real message', () => {
    const next = clone(deployment);
    next.spec!.selector = { matchLabels: { app: 'web2' } };
    next.spec!.template.metadata!.labels = { app: 'web2' };
    expect(formatInvalidMessage('Deployment', 'web', validateUpdate(deployment, next))).toBe(
      'Deployment.apps "web" is invalid: spec.selector: Invalid value: v1.LabelSelector{MatchLabels:map[string]string{"app":"web2"}, MatchExpressions:[]v1.LabelSelectorRequirement(nil)}: field is immutable',
    );
  });

  it('Job selector, template and completions are immutable', () => {
    const job = stored(
      defaultForCreate<Job>({
        apiVersion: 'batch/v1',
        kind: 'Job',
        metadata: { name: 'pi', namespace: 'default', uid: 'uid-1' },
        spec: { template: { spec: { containers: [{ name: 'pi', image: 'perl' }], restartPolicy: 'Never' } } },
      }),
    );
    const next = clone(job);
    next.spec!.completions = 3;
    next.spec!.template.spec!.containers[0].image = 'perl:5';
    const out = messages(validateUpdate(job, next));
    expect(out[0]).toBe('spec.completions: Invalid value: 3: field is immutable');
    expect(out[1]).toMatch(/^spec\.template: Invalid value: core\.PodTemplateSpec\{.*\}: field is immutable$/);
    expect(out).toHaveLength(2);
  });
});

describe('Pod updates', () => {
  const pod = stored(
    addDefaultTolerations(
      defaultForCreate<Pod>({
        apiVersion: 'v1',
        kind: 'Pod',
        metadata: { name: 'web', namespace: 'default' },
        spec: { containers: [{ name: 'app', image: 'nginx:1.25' }], activeDeadlineSeconds: 100 },
      }),
    ),
  );

  it('allows image, activeDeadlineSeconds (down only), added tolerations and label changes', () => {
    const next = clone(pod);
    next.spec!.containers[0].image = 'nginx:1.26';
    next.spec!.activeDeadlineSeconds = 50;
    next.spec!.tolerations = [...next.spec!.tolerations!, { key: 'x', operator: 'Exists' }];
    next.metadata = { ...next.metadata, labels: { a: 'b' } };
    expect(validateUpdate(pod, { ...next, status: { phase: 'Running' } })).toEqual([]);
  });

  it('rejects other spec changes with the upstream Forbidden message', () => {
    const next = clone(pod);
    next.spec!.nodeName = 'node-1';
    const [cause, ...rest] = validateUpdate(pod, next);
    expect(rest).toEqual([]);
    expect(cause.field).toBe('spec');
    expect(cause.type).toBe('FieldValueForbidden');
    const head =
      'Forbidden: pod updates may not change fields other than `spec.containers[*].image`,`spec.initContainers[*].image`,`spec.activeDeadlineSeconds`,`spec.tolerations` (only additions to existing tolerations),`spec.terminationGracePeriodSeconds` (allow it to be set to 1 if it was previously negative)';
    expect(cause.message.startsWith(`${head}\n`)).toBe(true);
    expect(cause.message).toContain('spec.nodeName: null -> "node-1"');
    expect(UPDATABLE_POD_SPEC_FIELDS).toHaveLength(5);
  });

  it('guards containers, deadlines and tolerations', () => {
    const added = clone(pod);
    added.spec!.containers.push({ name: 'b', image: 'x', imagePullPolicy: 'Always', terminationMessagePolicy: 'File' });
    expect(messages(validateUpdate(pod, added))).toEqual(['spec.containers: Forbidden: pod updates may not add or remove containers']);
    const longer = clone(pod);
    longer.spec!.activeDeadlineSeconds = 200;
    expect(messages(validateUpdate(pod, longer))).toEqual(['spec.activeDeadlineSeconds: Invalid value: 200: must be less than or equal to previous value']);
    const cleared = clone(pod);
    delete cleared.spec!.activeDeadlineSeconds;
    expect(messages(validateUpdate(pod, cleared))[0]).toBe('spec.activeDeadlineSeconds: Invalid value: null: must not update from a positive integer to nil value');
    const dropped = clone(pod);
    dropped.spec!.tolerations = [];
    expect(messages(validateUpdate(pod, dropped))).toEqual(['spec.tolerations: Forbidden: existing toleration can not be modified except its tolerationSeconds']);
  });
});

describe('Service, Secret and ConfigMap updates', () => {
  it('cluster IPs may not change once set', () => {
    const svc = stored(
      defaultForCreate<Service>({ apiVersion: 'v1', kind: 'Service', metadata: { name: 'web', namespace: 'd' }, spec: { selector: { a: 'b' }, ports: [{ port: 80 }] } }),
    );
    svc.spec = { ...svc.spec, clusterIP: '10.96.0.10', clusterIPs: ['10.96.0.10'] };
    const next = clone(svc);
    next.spec = { ...next.spec, clusterIP: '10.96.0.11', clusterIPs: ['10.96.0.11'] };
    expect(messages(validateUpdate(svc, next))).toEqual(['spec.clusterIPs[0]: Invalid value: []string{"10.96.0.11"}: may not change once set']);
  });

  it('secret type and immutable data are frozen', () => {
    const secret = stored(defaultForCreate<Secret>({ apiVersion: 'v1', kind: 'Secret', metadata: { name: 's', namespace: 'd' }, data: { a: 'eA==' }, immutable: true }));
    const next = { ...clone(secret), type: 'kubernetes.io/basic-auth', data: { username: 'eQ==' }, immutable: false };
    expect(messages(validateUpdate(secret, next))).toEqual([
      'type: Invalid value: "kubernetes.io/basic-auth": field is immutable',
      'immutable: Forbidden: field is immutable when `immutable` is set',
      'data: Forbidden: field is immutable when `immutable` is set',
    ]);
  });
});
