import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { RESOURCES } from '../../src/api/resources.ts';
import { openapiResponse } from '../../src/http/openapi/index.ts';
import { swaggerDocument } from '../../src/http/openapi/v2.ts';
import { gnosticType } from '../../src/http/openapi/v2-protobuf.ts';

/**
 * /openapi/v2, which kubectl 1.27 and 1.28 fetch (as protobuf) before `apply -f` or `create -f`: the
 * Swagger document must parse as kube-openapi's `proto.NewOpenAPIData` parses it, or kubectl refuses to
 * send anything.
 */

type Schema = Record<string, any>;

/** The rules kube-openapi's schema parser (pkg/util/proto) enforces, as a list of problems. */
function kubeOpenapiProblems(doc: Schema): string[] {
  const problems: string[] = [];
  const definitions: Schema = doc.definitions ?? {};
  const check = (s: Schema, path: string): void => {
    if (typeof s.$ref === 'string') {
      const name = s.$ref.replace(/^#\/definitions\//, '');
      if (name === s.$ref) problems.push(`${path}: unallowed reference ${s.$ref}`);
      else if (!(name in definitions)) problems.push(`${path}: unknown model in reference ${name}`);
      if (s.type !== undefined) problems.push(`${path}: definition reference can't have a type`);
      if (s.properties !== undefined) problems.push(`${path}: unallowed embedded type definition`);
      return;
    }
    for (const key of ['allOf', 'oneOf', 'anyOf']) if (key in s) problems.push(`${path}: ${key} (not Swagger 2.0)`);
    if (Array.isArray(s.type)) problems.push(`${path}: invalid type`);
    if (s.type === 'array') {
      if (typeof s.items !== 'object' || s.items === null || Array.isArray(s.items)) problems.push(`${path}: array without items`);
      else check(s.items, `${path}.items`);
    } else if (s.type !== undefined && s.type !== 'object' && !['string', 'number', 'integer', 'boolean'].includes(s.type)) {
      problems.push(`${path}: unknown primitive type ${s.type}`);
    }
    for (const [name, p] of Object.entries<Schema>(s.properties ?? {})) check(p, `${path}.${name}`);
    if (typeof s.additionalProperties === 'object') check(s.additionalProperties, `${path}.additionalProperties`);
  };
  for (const [name, s] of Object.entries<Schema>(definitions)) check(s, name);
  for (const [path, item] of Object.entries<Schema>(doc.paths ?? {})) {
    for (const op of Object.values<Schema>(item)) {
      if (typeof op !== 'object' || Array.isArray(op)) continue;
      for (const p of op.parameters ?? []) if (p.in === 'body') check(p.schema, `${path} body`);
      for (const [code, r] of Object.entries<Schema>(op.responses ?? {})) if (r.schema) check(r.schema, `${path} ${code}`);
    }
  }
  return problems;
}

/** kubectl's QueryParamVerifier (v2): the PATCH operation of the kind offers the query parameter. */
function supportsFieldValidation(doc: Schema, gvk: { group: string; version: string; kind: string }): boolean {
  for (const item of Object.values<Schema>(doc.paths)) {
    const ext = item.patch?.['x-kubernetes-group-version-kind'];
    if (!ext || ext.group !== gvk.group || ext.version !== gvk.version || ext.kind !== gvk.kind) continue;
    return item.patch.parameters.some((p: Schema) => p.name === 'fieldValidation' && p.in === 'query' && p.type === 'string');
  }
  return false;
}

describe('OpenAPI v2 (Swagger 2.0)', () => {
  const doc = swaggerDocument() as Schema;

  it('parses as kube-openapi parses it: local definitions, no v3 constructs', () => {
    expect(doc.swagger).toBe('2.0');
    expect(kubeOpenapiProblems(doc)).toEqual([]);
    expect(JSON.stringify(doc)).not.toContain('#/components/');
  });

  it('the checker catches a dangling reference, a typed reference, an array without items and a oneOf', () => {
    const planted = structuredClone(doc);
    const pod = planted.definitions['io.k8s.api.core.v1.Pod'].properties;
    pod.spec = { $ref: '#/definitions/io.k8s.api.core.v1.PodSpecc' };
    pod.status = { $ref: '#/definitions/io.k8s.api.core.v1.PodStatus', type: 'object' };
    pod.kind = { type: 'array' };
    pod.apiVersion = { oneOf: [{ type: 'string' }, { type: 'integer' }] };
    expect(kubeOpenapiProblems(planted)).toEqual([
      'io.k8s.api.core.v1.Pod.apiVersion: oneOf (not Swagger 2.0)',
      'io.k8s.api.core.v1.Pod.kind: array without items',
      'io.k8s.api.core.v1.Pod.spec: unknown model in reference io.k8s.api.core.v1.PodSpecc',
      "io.k8s.api.core.v1.Pod.status: definition reference can't have a type",
    ]);
  });

  it('describes every served kind with its group-version-kind and patch strategies', () => {
    for (const r of RESOURCES) {
      const prefix = r.group === '' ? 'io.k8s.api.core.v1' : `io.k8s.api.${r.group.replace(/\.k8s\.io$/, '')}.${r.version}`;
      const def = Object.entries<Schema>(doc.definitions).find(([name, s]) => name.startsWith(prefix) && name.endsWith(`.${r.kind}`)
        && s['x-kubernetes-group-version-kind']?.some((g: Schema) => g.kind === r.kind && g.group === r.group));
      expect(def, r.kind).toBeDefined();
      expect(supportsFieldValidation(doc, r), r.kind).toBe(true);
    }
    const podSpec = doc.definitions['io.k8s.api.core.v1.PodSpec'].properties;
    expect(podSpec.containers).toMatchObject({ type: 'array', items: { $ref: '#/definitions/io.k8s.api.core.v1.Container' }, 'x-kubernetes-patch-merge-key': 'name', 'x-kubernetes-patch-strategy': 'merge' });
    expect(doc.definitions['io.k8s.apimachinery.pkg.util.intstr.IntOrString']).toMatchObject({ type: 'string', format: 'int-or-string' });
    expect(doc.definitions['io.k8s.apimachinery.pkg.api.resource.Quantity'].type).toBe('string');
    const create = doc.paths['/apis/apps/v1/namespaces/{namespace}/deployments'].post;
    expect(create.parameters[0]).toEqual({ name: 'body', in: 'body', required: true, schema: { $ref: '#/definitions/io.k8s.api.apps.v1.Deployment' } });
    expect(create.responses['201'].schema).toEqual({ $ref: '#/definitions/io.k8s.api.apps.v1.Deployment' });
  });

  it('is served as JSON, and as gnostic protobuf when asked as kubectl asks', () => {
    const json = openapiResponse('/openapi/v2', 'application/json');
    expect(json?.contentType).toBe('application/json');
    expect(JSON.parse(json!.body as string)).toEqual(doc);
    const reply = openapiResponse('/openapi/v2', 'application/com.github.proto-openapi.spec.v2@v1.0+protobuf');
    // Go's mime.ParseMediaType refuses the `@` form, so the answer is spelled with a dot.
    expect(reply?.contentType).toBe('application/com.github.proto-openapi.spec.v2.v1.0+protobuf');
    const type = gnosticType('Document');
    const decoded = type.toObject(type.decode(reply!.body as Uint8Array), { defaults: false }) as Schema;
    expect(decoded.swagger).toBe('2.0');
    const definitions = new Map<string, Schema>(decoded.definitions.additionalProperties.map((d: Schema) => [d.name, d.value]));
    expect([...definitions.keys()]).toEqual(Object.keys(doc.definitions));

    const deployment = definitions.get('io.k8s.api.apps.v1.Deployment')!;
    const gvk = deployment.vendorExtension.find((e: Schema) => e.name === 'x-kubernetes-group-version-kind');
    expect(parse(gvk.value.yaml)).toEqual([{ group: 'apps', kind: 'Deployment', version: 'v1' }]);
    const spec = deployment.properties.additionalProperties.find((p: Schema) => p.name === 'spec').value;
    expect(spec).toMatchObject({ ref: '#/definitions/io.k8s.api.apps.v1.DeploymentSpec' });
    const containers = definitions.get('io.k8s.api.core.v1.PodSpec')!.properties.additionalProperties.find((p: Schema) => p.name === 'containers').value;
    expect(containers.type.value).toEqual(['array']);
    expect(containers.items.schema).toEqual([{ ref: '#/definitions/io.k8s.api.core.v1.Container' }]);
    expect(Object.fromEntries(containers.vendorExtension.map((e: Schema) => [e.name, parse(e.value.yaml)]))).toMatchObject({ 'x-kubernetes-patch-merge-key': 'name', 'x-kubernetes-patch-strategy': 'merge' });

    const item = decoded.paths.path.find((p: Schema) => p.name === '/apis/apps/v1/namespaces/{namespace}/deployments/{name}').value;
    const names = item.patch.parameters.map((p: Schema) => p.parameter.nonBodyParameter?.queryParameterSubSchema?.name).filter(Boolean);
    expect(names).toContain('fieldValidation');
    const patchGvk = item.patch.vendorExtension.find((e: Schema) => e.name === 'x-kubernetes-group-version-kind');
    expect(parse(patchGvk.value.yaml)).toEqual({ group: 'apps', version: 'v1', kind: 'Deployment' });
    expect(item.parameters.some((p: Schema) => p.parameter.nonBodyParameter.pathParameterSubSchema?.name === 'name')).toBe(true);
  });
});
