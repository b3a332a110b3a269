import { describe, expect, it } from 'vitest';
import { ApiHarness, apps, configMap, core, create, del, deployment, get, list, obj, patch, pod, status, update } from './harness.ts';

describe('errors as kube-apiserver returns them', () => {
  it('409 AlreadyExists on creating an existing name', () => {
    const h = new ApiHarness().start();
    h.call(create(core('configmaps'), 'default', configMap('dup')));
    const again = h.call(create(core('configmaps'), 'default', configMap('dup')));
    expect(again.code).toBe(409);
    expect(again.body).toMatchObject({ kind: 'Status', status: 'Failure', reason: 'AlreadyExists', message: 'configmaps "dup" already exists' });
  });

  it('409 Conflict on an update from a stale resourceVersion; nothing is written', () => {
    const h = new ApiHarness().start();
    const v1 = obj(h.call(create(apps('deployments'), 'default', deployment('web'))));
    const v2 = obj(h.call(update(apps('deployments'), 'default', 'web', { ...v1, spec: { ...v1.spec, replicas: 2 } })));
    const stale = h.call(update(apps('deployments'), 'default', 'web', { ...v1, spec: { ...v1.spec, replicas: 7 } }));
    expect(stale.code).toBe(409);
    expect(status(stale)).toMatchObject({
      reason: 'Conflict',
      message: 'Operation cannot be fulfilled on deployments.apps "web": the object has been modified; please apply your changes to the latest version and try again',
    });
    expect(obj(h.call(get(apps('deployments'), 'default', 'web'))).spec.replicas).toBe(2);
    expect(v2.spec.replicas).toBe(2);
  });

  it('404 NotFound for a missing object on get, update, patch and delete', () => {
    const h = new ApiHarness().start();
    const expected = { code: 404, reason: 'NotFound', message: 'pods "ghost" not found', details: { name: 'ghost', kind: 'pods' } };
    expect(h.call(get(core('pods'), 'default', 'ghost')).body).toMatchObject(expected);
    expect(h.call(update(core('pods'), 'default', 'ghost', pod('ghost'))).body).toMatchObject(expected);
    expect(h.call(patch(core('pods'), 'default', 'ghost', 'application/merge-patch+json', { metadata: { labels: { a: 'b' } } })).body).toMatchObject(expected);
    expect(h.call(del(core('pods'), 'default', 'ghost')).body).toMatchObject(expected);
  });

  it('422 Invalid for a Deployment with replicas: -1, with the exact message and causes', () => {
    const h = new ApiHarness().start();
    const r = h.call(create(apps('deployments'), 'default', deployment('web', -1)));
    expect(r.code).toBe(422);
    expect(r.body).toEqual({
      kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', reason: 'Invalid', code: 422,
      message: 'Deployment.apps "web" is invalid: spec.replicas: Invalid value: -1: must be greater than or equal to 0',
      details: {
        name: 'web', group: 'apps', kind: 'Deployment',
        causes: [{ reason: 'FieldValueInvalid', message: 'Invalid value: -1: must be greater than or equal to 0', field: 'spec.replicas' }],
      },
    });
    expect(h.call(get(apps('deployments'), 'default', 'web')).code).toBe(404);
  });

  it('422 Invalid on an update that changes an immutable field', () => {
    const h = new ApiHarness().start();
    const d = obj(h.call(create(apps('deployments'), 'default', deployment('web'))));
    const r = h.call(update(apps('deployments'), 'default', 'web', { ...d, spec: { ...d.spec, selector: { matchLabels: { app: 'other' } } } }));
    expect(r.code).toBe(422);
    expect(status(r).message).toContain('spec.selector: Invalid value: v1.LabelSelector');
    expect(status(r).message).toContain('field is immutable');
  });

  it('400 for a body without kind, with the decoder message', () => {
    const h = new ApiHarness().start();
    const r = h.call(create(core('pods'), 'default', { apiVersion: 'v1', metadata: { name: 'x' } }));
    expect(r.code).toBe(400);
    expect(status(r).reason).toBe('BadRequest');
    expect(status(r).message).toBe(
      `the object provided is unrecognized (must be of type Pod): Object 'Kind' is missing in '{"apiVersion":"v1","metadata":{"name":"x"}}' ({"apiVersion":"v1","metadata": ...)`,
    );
  });

  it('400 for a body of another type than an object', () => {
    const h = new ApiHarness().start();
    const r = h.call(create(core('configmaps'), 'default', 'hello'));
    expect(r.code).toBe(400);
    expect(status(r).message).toBe(
      'the object provided is unrecognized (must be of type ConfigMap): couldn\'t get version/kind; json parse error: json: cannot unmarshal string into Go value of type struct { APIVersion string "json:\\"apiVersion,omitempty\\""; Kind string "json:\\"kind,omitempty\\"" } (2268656c6c6f22)',
    );
  });

  it('400 for a body of another group/version or kind than the URL', () => {
    const h = new ApiHarness().start();
    const wrongVersion = h.call(create(core('pods'), 'default', deployment('web')));
    expect(status(wrongVersion).message).toBe('the API version in the data (apps/v1) does not match the expected API version (v1)');
    const wrongKind = h.call(create(core('pods'), 'default', configMap('c')));
    expect(wrongKind.code).toBe(400);
    expect(status(wrongKind).message).toMatch(/^ConfigMap in version "v1" cannot be handled as a Pod: /);
  });

  it('400 when the object name does not match the URL', () => {
    const h = new ApiHarness().start();
    const c = obj(h.call(create(core('configmaps'), 'default', configMap('b'))));
    const r = h.call(update(core('configmaps'), 'default', 'b', { ...c, metadata: { ...c.metadata, name: 'a' } }));
    expect(r.code).toBe(400);
    expect(status(r).message).toBe('the name of the object (a) does not match the name on the URL (b)');
  });

  it('400 for a malformed quantity, as the decoder reports it', () => {
    const h = new ApiHarness().start();
    const body = pod('q', { spec: { containers: [{ name: 'a', image: 'x', resources: { limits: { cpu: 'lots' } } }] } });
    const r = h.call(create(core('pods'), 'default', body));
    expect(r.code).toBe(400);
    expect(status(r).message).toMatch(/^Pod in version "v1" cannot be handled as a Pod: quantities must match the regular expression/);
  });

  it('400 when the body namespace differs from the request namespace', () => {
    const h = new ApiHarness().start();
    const r = h.call(create(core('configmaps'), 'default', { ...configMap('c'), metadata: { name: 'c', namespace: 'kube-system' } }));
    expect(r.code).toBe(400);
    expect(status(r).message).toBe('the namespace of the provided object does not match the namespace sent on the request');
  });

  it('404 for a create in a namespace that does not exist (NamespaceLifecycle)', () => {
    const h = new ApiHarness().start();
    const r = h.call(create(core('configmaps'), 'nowhere', configMap('c')));
    expect(r.code).toBe(404);
    expect(status(r).message).toBe('namespaces "nowhere" not found');
  });

  it('404 for an unknown resource and 405 for a verb the resource does not allow', () => {
    const h = new ApiHarness().start();
    const unknown = h.call({ verb: 'list', group: '', version: 'v1', resource: 'widgets' });
    expect(unknown).toMatchObject({ code: 404, body: { reason: 'NotFound', message: 'the server could not find the requested resource' } });
    const verb = h.call({ verb: 'deletecollection', group: '', version: 'v1', resource: 'namespaces' });
    expect(verb).toMatchObject({ code: 405, body: { reason: 'MethodNotAllowed' } });
  });

  it('400 for bad selectors and resource versions', () => {
    const h = new ApiHarness().start();
    expect(h.call(list(core('pods'), 'default', { labelSelector: 'a in (' })).code).toBe(400);
    const field = h.call(list(core('pods'), 'default', { fieldSelector: 'spec.foo=bar' }));
    expect(status(field).message).toBe('field label not supported: spec.foo');
    const rv = h.call(list(core('pods'), 'default', { resourceVersion: 'abc' }));
    expect(status(rv).message).toBe('resourceVersion: Invalid value: "abc": strconv.ParseUint: parsing "abc": invalid syntax');
  });

  it('403 when the authorizer denies, with the RBAC-style message', () => {
    const h = new ApiHarness({ config: { authorizers: ['SystemMasters'] } }).start();
    const denied = h.call({ ...list(core('pods'), 'default'), user: { username: 'alice', groups: ['dev'] } });
    expect(denied.code).toBe(403);
    expect(status(denied).message).toBe('pods is forbidden: User "alice" cannot list resource "pods" in API group "" in the namespace "default"');
    const allowed = h.call({ ...list(core('pods'), 'default'), user: { username: 'admin', groups: ['system:masters'] } });
    expect(allowed.code).toBe(200);
  });

  it('answers 504 when etcd is unreachable and serves again once it is back', () => {
    const h = new ApiHarness({ etcdClient: { attemptTimeoutMs: 200, requestTimeoutMs: 1_000 } }).start();
    h.call(create(core('configmaps'), 'default', configMap('kept', { v: '1' })));
    h.sim.crash('etcd-0');
    const write = h.call(create(core('configmaps'), 'default', configMap('lost')));
    expect(write.code).toBe(504);
    expect(status(write)).toMatchObject({ reason: 'Timeout', message: 'Timeout: request did not complete within requested timeout - context deadline exceeded' });
    const read = h.call(get(core('configmaps'), 'default', 'kept'));
    expect(read.code).toBe(504);
    expect(h.serving()).toBe(true);
    h.sim.restart('etcd-0');
    expect(obj(h.call(get(core('configmaps'), 'default', 'kept'))).data).toEqual({ v: '1' });
    expect(h.failures()).toEqual([]);
  });

  it('answers 504 when its etcd client is gone, and recovers its watch caches when it is back', () => {
    const h = new ApiHarness({ config: { requestTimeoutMs: 2_000, cacheStallMs: 5_000 } }).start();
    h.sim.crash('apiserver-0/etcd');
    const r = h.call(get(core('configmaps'), 'default', 'x'));
    expect(r.code).toBe(504);
    h.sim.restart('apiserver-0/etcd');
    h.run(10_000);
    h.call(create(core('configmaps'), 'default', configMap('after')));
    h.run(50);
    const cached = h.call(get(core('configmaps'), 'default', 'after', { resourceVersion: '0' }));
    expect(cached.code).toBe(200);
  });
});
