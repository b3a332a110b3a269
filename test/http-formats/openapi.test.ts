import { describe, expect, it } from 'vitest';
import { RESOURCES } from '../../src/api/resources.ts';
import { openapiResponse, strictDecodingMessage, unknownFields } from '../../src/http/openapi/index.ts';

function doc(path: string): any {
  const reply = openapiResponse(path);
  expect(reply?.status).toBe(200);
  expect(reply?.contentType).toBe('application/json');
  return JSON.parse(reply!.body as string);
}

/** What kubectl's QueryParamVerifierV3 checks: a PATCH operation of the kind offering the query parameter. */
function supportsFieldValidation(spec: any, gvk: { group: string; version: string; kind: string }): boolean {
  for (const item of Object.values<any>(spec.paths)) {
    const op = item.patch;
    const ext = op?.['x-kubernetes-group-version-kind'];
    if (!ext || ext.group !== gvk.group || ext.version !== gvk.version || ext.kind !== gvk.kind) continue;
    return op.parameters.some((p: any) => p.name === 'fieldValidation' && p.in === 'query');
  }
  return false;
}

/** Resolve `{allOf: [{$ref}]}` / `{$ref}` the way kubectl explain and strategicpatch do. */
function resolve(spec: any, schema: any): any {
  const inner = schema.allOf?.[0] ?? schema;
  return inner.$ref ? spec.components.schemas[inner.$ref.replace('#/components/schemas/', '')] : inner;
}

describe('OpenAPI v3', () => {
  it('indexes one document per served group/version, addressed with a content hash', () => {
    const index = doc('/openapi/v3');
    expect(Object.keys(index.paths).sort()).toEqual(['api/v1', 'apis/apps/v1', 'apis/batch/v1', 'apis/coordination.k8s.io/v1', 'apis/discovery.k8s.io/v1', 'apis/events.k8s.io/v1']);
    const url: string = index.paths['apis/apps/v1'].serverRelativeURL;
    expect(url).toMatch(/^\/openapi\/v3\/apis\/apps\/v1\?hash=[0-9A-F]{128}$/);
    expect(doc(url).openapi).toBe('3.0.0');
    expect(openapiResponse('/openapi/v3/apis/example.com/v1')?.status).toBe(404);
    expect(openapiResponse('/openapi/v4')?.status).toBe(404);
    expect(openapiResponse('/api/v1')).toBeUndefined();
  });

  it('tells kubectl the server validates fields itself, for every kind served', () => {
    const index = doc('/openapi/v3');
    for (const r of RESOURCES) {
      const key = r.group === '' ? `api/${r.version}` : `apis/${r.group}/${r.version}`;
      const spec = doc(index.paths[key].serverRelativeURL);
      expect(supportsFieldValidation(spec, { group: r.group, version: r.version, kind: r.kind }), `${r.kind}.${r.group}`).toBe(true);
    }
  });

  it('describes kinds with their group-version-kind, fields, documentation and patch markers', () => {
    const spec = doc('/openapi/v3/apis/apps/v1');
    const deployment = spec.components.schemas['io.k8s.api.apps.v1.Deployment'];
    expect(deployment['x-kubernetes-group-version-kind']).toEqual([{ group: 'apps', version: 'v1', kind: 'Deployment' }]);
    expect(deployment.description).toBe('Deployment enables declarative updates for Pods and ReplicaSets.');
    const podSpec = resolve(spec, resolve(spec, resolve(spec, deployment.properties.spec).properties.template).properties.spec);
    expect(podSpec.properties.containers).toMatchObject({
      type: 'array', 'x-kubernetes-patch-merge-key': 'name', 'x-kubernetes-patch-strategy': 'merge', 'x-kubernetes-list-type': 'map', 'x-kubernetes-list-map-keys': ['name'],
    });
    expect(podSpec.required).toEqual(['containers']);
    const container = resolve(spec, podSpec.properties.containers.items);
    expect(container.properties.ports['x-kubernetes-list-map-keys']).toEqual(['containerPort', 'protocol']);
    expect(resolve(spec, resolve(spec, deployment.properties.spec).properties.strategy)).toBeDefined();
    expect(resolve(spec, deployment.properties.spec).properties.strategy['x-kubernetes-patch-strategy']).toBe('retainKeys');
    const meta = resolve(spec, deployment.properties.metadata);
    expect(meta.properties.finalizers).toMatchObject({ 'x-kubernetes-list-type': 'set', 'x-kubernetes-patch-strategy': 'merge' });
    expect(resolve(spec, meta.properties.creationTimestamp)).toMatchObject({ type: 'string', format: 'date-time' });
    expect(spec.components.schemas['io.k8s.api.autoscaling.v1.Scale']).toBeDefined();
    // Every reference resolves.
    for (const [, target] of JSON.stringify(spec).matchAll(/"\$ref":"#\/components\/schemas\/([^"]+)"/g)) expect(spec.components.schemas[target], target).toBeDefined();
  });

  it('offers all four patch types on PATCH, so kubectl builds strategic merge patches from the schema', () => {
    const spec = doc('/openapi/v3/api/v1');
    const op = spec.paths['/api/v1/namespaces/{namespace}/pods/{name}'].patch;
    expect(op.operationId).toBe('patchCoreV1NamespacedPod');
    expect(Object.keys(op.requestBody.content)).toContain('application/strategic-merge-patch+json');
    expect(op['x-kubernetes-action']).toBe('patch');
    expect(spec.paths['/api/v1/pods'].get.operationId).toBe('listCoreV1PodForAllNamespaces');
    expect(spec.paths['/api/v1/nodes/{name}/status'].patch.operationId).toBe('patchCoreV1NodeStatus');
    expect(doc('/openapi/v3/apis/apps/v1').paths['/apis/apps/v1/namespaces/{namespace}/deployments/{name}/scale'].patch['x-kubernetes-group-version-kind']).toEqual({ group: 'autoscaling', version: 'v1', kind: 'Scale' });
  });
});

describe('strict field validation', () => {
  it('reports unknown fields with the decoder paths, and nothing for a valid object', () => {
    const body = {
      apiVersion: 'apps/v1', kind: 'Deployment',
      metadata: { name: 'web', labels: { anything: 'goes' }, annotations: { 'x/y': 'z' } },
      spec: { replicass: 3, selector: { matchLabels: { app: 'web' } }, template: { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'c', image: 'x', resources: { limits: { cpu: '1' } } }, { name: 'd', imagee: 'y', ports: [{ containerPort: 80, protocl: 'TCP' }] }] } } },
    };
    expect(unknownFields('apps/v1', 'Deployment', body)).toEqual(['spec.replicass', 'spec.template.spec.containers[1].imagee', 'spec.template.spec.containers[1].ports[0].protocl']);
    expect(strictDecodingMessage(['spec.replicass', 'x'])).toBe('strict decoding error: unknown field "spec.replicass", unknown field "x"');
    const ok = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'demo-config', managedFields: [{ manager: 'm', fieldsV1: { 'f:data': { 'f:env': {} } } }] }, data: { env: 'prod' } };
    expect(unknownFields('v1', 'ConfigMap', ok)).toEqual([]);
    expect(unknownFields('v1', 'Service', { spec: { ports: [{ port: 80, targetPort: 'http' }] }, extra: 1 })).toEqual(['extra']);
    expect(unknownFields('example.com/v1', 'Widget', { any: 1 })).toEqual([]);
  });

  it('catches a field that a truncated schema would miss (the check is only as good as the catalog)', () => {
    // Planted bug: a body field that does not exist must be flagged even deep inside lists of maps.
    expect(unknownFields('v1', 'Pod', { spec: { volumes: [{ name: 'v', configMap: { name: 'c', itemz: [] } }] } })).toEqual(['spec.volumes[0].configMap.itemz']);
  });
});
