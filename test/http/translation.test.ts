import { describe, expect, it } from 'vitest';
import { FrontDoorError } from '../../src/http/errors.ts';
import { goJsonError } from '../../src/http/json-error.ts';
import { FrontDoorMetrics } from '../../src/http/metrics.ts';
import { negotiate } from '../../src/http/negotiation.ts';
import { parseResourcePath, verbOf } from '../../src/http/paths.ts';
import { decodeQuery, queryBool } from '../../src/http/query.ts';
import { decodeBody, depthOf, MAX_BODY_DEPTH } from '../../src/http/request-body.ts';

/** The pure parts of the translation: paths, verbs, query parameters, bodies, negotiation. */

function refusal(run: () => unknown): { code: number; reason: string; message: string } {
  try {
    run();
  } catch (error) {
    if (error instanceof FrontDoorError) return { code: error.status.code, reason: error.status.reason, message: error.status.message };
    throw error;
  }
  throw new Error('expected a refusal');
}

describe('resource paths (RequestInfoFactory)', () => {
  it('splits core and group paths, namespaced and cluster-scoped', () => {
    expect(parseResourcePath('/api/v1/pods')).toEqual({ group: '', version: 'v1', resource: 'pods', watchPrefix: false });
    expect(parseResourcePath('/api/v1/namespaces/default/pods/web-1/log')).toEqual({
      group: '', version: 'v1', resource: 'pods', namespace: 'default', name: 'web-1', subresource: 'log', watchPrefix: false,
    });
    expect(parseResourcePath('/apis/apps/v1/namespaces/ns/deployments/web/scale')).toMatchObject({
      group: 'apps', version: 'v1', resource: 'deployments', namespace: 'ns', name: 'web', subresource: 'scale',
    });
    expect(parseResourcePath('/api/v1/nodes/node-1/status')).toMatchObject({ resource: 'nodes', name: 'node-1', subresource: 'status' });
  });

  it('treats namespaces as a resource, with its status and finalize subresources', () => {
    expect(parseResourcePath('/api/v1/namespaces')).toMatchObject({ resource: 'namespaces' });
    expect(parseResourcePath('/api/v1/namespaces/kube-system')).toEqual({ group: '', version: 'v1', resource: 'namespaces', name: 'kube-system', watchPrefix: false });
    expect(parseResourcePath('/api/v1/namespaces/x/finalize')).toMatchObject({ resource: 'namespaces', name: 'x', subresource: 'finalize' });
    expect(parseResourcePath('/api/v1/namespaces/x/status')?.namespace).toBeUndefined();
  });

  it('recognizes the deprecated watch prefix and percent-encoded segments', () => {
    expect(parseResourcePath('/api/v1/watch/namespaces/default/pods')).toMatchObject({ watchPrefix: true, namespace: 'default', resource: 'pods' });
    expect(parseResourcePath('/api/v1/namespaces/default/configmaps/a%2Eb')).toMatchObject({ name: 'a.b' });
    expect(parseResourcePath('/api/v1/pods/')).toMatchObject({ resource: 'pods' });
  });

  it('leaves discovery, proxies and malformed paths to others (undefined)', () => {
    for (const path of ['/api', '/api/v1', '/apis', '/apis/apps', '/apis/apps/v1', '/version', '/api/v1/watch',
      '/api/v1/namespaces/d/pods/p/proxy/x/y', '/api//v1/pods', '/api/v1/%E0%A4%A', 'api/v1/pods']) {
      expect(parseResourcePath(path), path).toBeUndefined();
    }
  });

  it('maps methods to verbs', () => {
    const collection = parseResourcePath('/api/v1/namespaces/d/pods')!;
    const named = parseResourcePath('/api/v1/namespaces/d/pods/p')!;
    const binding = parseResourcePath('/api/v1/namespaces/d/pods/p/binding')!;
    const watchPath = parseResourcePath('/api/v1/watch/namespaces/d/pods')!;
    expect(verbOf('GET', collection, false)).toBe('list');
    expect(verbOf('GET', collection, true)).toBe('watch');
    expect(verbOf('GET', named, true)).toBe('get');
    expect(verbOf('GET', watchPath, false)).toBe('watch');
    expect(verbOf('POST', collection, false)).toBe('create');
    expect(verbOf('POST', named, false)).toBeUndefined();
    expect(verbOf('POST', binding, false)).toBe('create');
    expect(verbOf('PUT', named, false)).toBe('update');
    expect(verbOf('PUT', collection, false)).toBeUndefined();
    expect(verbOf('PATCH', named, false)).toBe('patch');
    expect(verbOf('DELETE', named, false)).toBe('delete');
    expect(verbOf('DELETE', collection, false)).toBe('deletecollection');
    expect(verbOf('DELETE', watchPath, false)).toBeUndefined();
    expect(verbOf('OPTIONS', named, false)).toBeUndefined();
  });
});

describe('query parameters', () => {
  it('decodes booleans as the parameter codec does', () => {
    expect(queryBool('')).toBe(true);
    expect(queryBool('1')).toBe(true);
    expect(queryBool('yes')).toBe(true);
    expect(queryBool('0')).toBe(false);
    expect(queryBool('FALSE')).toBe(false);
    expect(queryBool(null)).toBe(false);
  });

  it('types what the bus protocol types', () => {
    const q = decodeQuery(new URLSearchParams('limit=5&timeoutSeconds=30&allowWatchBookmarks=true&labelSelector=a%3Db&resourceVersion=10&unknown=x'), 'list');
    expect(q).toEqual({ limit: 5, timeoutSeconds: 30, allowWatchBookmarks: true, labelSelector: 'a=b', resourceVersion: '10' });
    expect(decodeQuery(new URLSearchParams('dryRun=All&fieldValidation=Strict&fieldManager=kubectl'), 'create')).toEqual({
      dryRun: 'All', fieldValidation: 'Strict', fieldManager: 'kubectl',
    });
  });

  it('refuses integers that do not parse, and unsupported option values', () => {
    expect(refusal(() => decodeQuery(new URLSearchParams('limit=1.5'), 'list'))).toMatchObject({ code: 400, message: 'strconv.ParseInt: parsing "1.5": invalid syntax' });
    expect(refusal(() => decodeQuery(new URLSearchParams('limit=99999999999999999999'), 'list'))).toMatchObject({ code: 400, message: expect.stringContaining('value out of range') });
    expect(refusal(() => decodeQuery(new URLSearchParams('dryRun=Maybe'), 'create'))).toMatchObject({ code: 422, reason: 'Invalid' });
    expect(refusal(() => decodeQuery(new URLSearchParams('fieldValidation=Loose'), 'patch'))).toMatchObject({
      code: 422, message: 'PatchOptions.meta.k8s.io "" is invalid: fieldValidation: Unsupported value: "Loose": supported values: "Ignore", "Strict", "Warn"',
    });
  });
});

describe('bodies', () => {
  const json = (text: string) => Buffer.from(text);

  it('decodes JSON, YAML and patches by content type', () => {
    expect(decodeBody(json('{"a":1}'), 'application/json; charset=utf-8', 'create', 'Pod')).toEqual({ body: { a: 1 } });
    expect(decodeBody(json('{"a":1}'), undefined, 'create', 'Pod')).toEqual({ body: { a: 1 } });
    expect(decodeBody(json('a: 1\nb: [x]\n'), 'application/yaml', 'update', 'Pod')).toEqual({ body: { a: 1, b: ['x'] } });
    expect(decodeBody(json(''), 'application/json', 'create', 'Pod')).toEqual({ body: undefined });
    expect(decodeBody(json('[{"op":"remove","path":"/a"}]'), 'application/json-patch+json', 'patch', 'Pod')).toEqual({
      body: [{ op: 'remove', path: '/a' }], patchType: 'application/json-patch+json',
    });
    expect(decodeBody(json('spec:\n  replicas: 2\n'), 'application/apply-patch+yaml', 'patch', 'Pod')).toEqual({
      body: { spec: { replicas: 2 } }, patchType: 'application/apply-patch+yaml',
    });
  });

  it('words parse errors as the Go decoder does', () => {
    expect(refusal(() => decodeBody(json('{bad'), 'application/json', 'create', 'ConfigMap')).message).toBe(
      "the object provided is unrecognized (must be of type ConfigMap): couldn't get version/kind; json parse error: invalid character 'b' looking for beginning of object key string ({bad)",
    );
    expect(refusal(() => decodeBody(json('xyz'), 'application/json', 'create', 'Pod')).message).toBe(
      "the object provided is unrecognized (must be of type Pod): couldn't get version/kind; json parse error: invalid character 'x' looking for beginning of value (78797a)",
    );
    expect(refusal(() => decodeBody(json('{"a":1'), 'application/merge-patch+json', 'patch', 'Pod'))).toMatchObject({ code: 400, message: 'unexpected end of JSON input' });
  });

  it('refuses unknown media types with 415 and the accepted list', () => {
    expect(refusal(() => decodeBody(json('x'), 'text/plain', 'create', 'Pod'))).toMatchObject({ code: 415, reason: 'UnsupportedMediaType' });
    expect(refusal(() => decodeBody(json('{}'), 'application/json', 'patch', 'Pod')).message).toBe(
      'the body of the request was in an unknown format - accepted media types include: application/json-patch+json, application/merge-patch+json, application/strategic-merge-patch+json, application/apply-patch+yaml',
    );
  });

  it('measures depth without recursion and refuses what is too deep', () => {
    expect(depthOf({ a: [{ b: 1 }] })).toBe(3);
    expect(depthOf('scalar')).toBe(0);
    const deep = `${'['.repeat(MAX_BODY_DEPTH + 1)}${']'.repeat(MAX_BODY_DEPTH + 1)}`;
    expect(refusal(() => decodeBody(json(deep), 'application/json', 'create', 'Pod'))).toMatchObject({ code: 400 });
    const ok = `${'['.repeat(MAX_BODY_DEPTH)}${']'.repeat(MAX_BODY_DEPTH)}`;
    expect(() => decodeBody(json(ok), 'application/json', 'create', 'Pod')).not.toThrow();
  });

  it('rewords V8 JSON errors', () => {
    const err = (text: string) => {
      try {
        JSON.parse(text);
      } catch (e) {
        return goJsonError(text, e as Error);
      }
      return 'parsed';
    };
    expect(err('')).toBe('unexpected end of JSON input');
    expect(err('{"a":1}x')).toBe("invalid character 'x' after top-level value");
    expect(err('{"a" 1}')).toBe("invalid character '1' after object key");
    expect(err('{"a":1 "b"}')).toBe('invalid character \'"\' after object key:value pair');
    expect(err('[1 2]')).toBe("invalid character '2' after array element");
  });
});

describe('content negotiation', () => {
  it('picks the first media range it can produce', () => {
    const kubectlGet = 'application/json;as=Table;v=v1;g=meta.k8s.io,application/json;as=Table;v=v1beta1;g=meta.k8s.io,application/json';
    expect(negotiate(kubectlGet, true)).toEqual({ kind: 'table', version: 'v1' });
    expect(negotiate(kubectlGet, false)).toEqual({ kind: 'json' });
    expect(negotiate('application/json;as=Table;v=v1beta1;g=meta.k8s.io', true)).toEqual({ kind: 'table', version: 'v1beta1' });
    expect(negotiate('application/vnd.kubernetes.protobuf, */*', true)).toEqual({ kind: 'json' });
    expect(negotiate('application/yaml', true)).toEqual({ kind: 'yaml' });
    expect(negotiate(undefined, true)).toEqual({ kind: 'json' });
    expect(negotiate('application/json;as=PartialObjectMetadataList;g=meta.k8s.io;v=v1', true)).toEqual({ kind: 'partial', version: 'v1' });
  });

  it('finds nothing acceptable for protobuf-only or unknown conversions', () => {
    expect(negotiate('application/vnd.kubernetes.protobuf', true)).toBeUndefined();
    expect(negotiate('application/json;as=Widget;g=meta.k8s.io;v=v1', true)).toBeUndefined();
    expect(negotiate('text/html', true)).toBeUndefined();
  });
});

describe('metrics', () => {
  it('renders counters and histograms in the Prometheus text format', () => {
    const m = new FrontDoorMetrics();
    const labels = { verb: 'LIST', group: '', version: 'v1', resource: 'pods', subresource: '', scope: 'namespace', dryRun: false };
    m.observe(labels, 200, 0.01);
    m.observe(labels, 200, 2);
    expect(m.count(labels, 200)).toBe(2);
    const text = m.render();
    expect(text).toContain('apiserver_request_total{code="200",component="apiserver",dry_run="",group="",resource="pods",scope="namespace",subresource="",verb="LIST",version="v1"} 2');
    expect(text).toContain('le="0.005"} 0');
    expect(text).toContain('le="0.025"} 1');
    expect(text).toContain('le="+Inf"} 2');
    expect(text).toMatch(/apiserver_request_duration_seconds_sum\{[^}]*\} 2\.01/);
  });
});
