// The imperative kubectl verbs a scenario uses, each sending what kubectl 1.30 sends:
//   scale       PATCH <resource>/<name>/scale, merge patch {"spec":{"replicas":N}}
//   set image   PATCH <resource>/<name>, strategic merge patch of the containers by name
//   rollout undo  GET the Deployment and its ReplicaSets, then a JSON patch of /spec/template and annotations
//   delete      DELETE (propagationPolicy Background), by name or every match of a label selector
import type { Deployment, ReplicaSet } from 'kubernetes-types/apps/v1.js';
import type { Container, PodTemplateSpec } from 'kubernetes-types/core/v1.js';
import type { ResourceInfo } from '../../api/resources.ts';
import type { ApiRequest } from '../../apiserver/protocol.ts';
import { controllerOf, type KubeObject } from '../../client/index.ts';
import { rolloutUndo as planRolloutUndo } from '../../../machines/controller-manager/deployment/rollout-undo.ts';
import { bodyOf, type Requester } from '../user-client.ts';
import { listQuery, namespaceFor, qualifiedName, request, resolveResource } from './resources.ts';

/** A verb that could not be done, worded as kubectl prints it. */
export class KubectlError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'KubectlError';
  }
}

export function scale(client: Requester, resource: ResourceInfo, name: string, replicas: number, namespace?: string): string {
  if (!resource.subresources.includes('scale')) throw new KubectlError(`error: no scaler has been implemented for ${resource.kind}`);
  bodyOf(client.call(request(resource, 'patch', {
    namespace: namespaceFor(resource, namespace), name, subresource: 'scale',
    patchType: 'application/merge-patch+json', body: { spec: { replicas } },
  })));
  return `${qualifiedName(resource, name)} scaled`;
}

/** The pod template of a workload (Deployment, ReplicaSet, DaemonSet, Job) or the pod spec of a Pod. */
function containersOf(obj: KubeObject, kind: string): Container[] {
  const o = obj as { spec?: { containers?: Container[]; template?: PodTemplateSpec } };
  return (kind === 'Pod' ? o.spec?.containers : o.spec?.template?.spec?.containers) ?? [];
}

/** `kubectl set image <resource>/<name> <container>=<image>`; container `*` sets every container. */
export function setImage(client: Requester, resource: ResourceInfo, name: string, images: Record<string, string>, namespace?: string): string {
  const ns = namespaceFor(resource, namespace);
  const live = bodyOf<KubeObject>(client.call(request(resource, 'get', { namespace: ns, name })));
  const containers = containersOf(live, resource.kind);
  const changed: { name: string; image: string }[] = [];
  for (const [container, image] of Object.entries(images)) {
    const matching = container === '*' ? containers : containers.filter((c) => c.name === container);
    if (matching.length === 0) throw new KubectlError(`error: unable to find container named "${container}"`);
    for (const c of matching) if (c.image !== image) changed.push({ name: c.name, image });
  }
  if (changed.length > 0) {
    const body = resource.kind === 'Pod'
      ? { spec: { containers: changed } }
      : { spec: { template: { spec: { containers: changed } } } };
    bodyOf(client.call(request(resource, 'patch', { namespace: ns, name, body, patchType: 'application/strategic-merge-patch+json' })));
  }
  return `${qualifiedName(resource, name)} image updated`;
}

export function rolloutUndo(client: Requester, name: string, toRevision = 0, namespace = 'default'): string {
  const deployments = resolveResource('deployments');
  const d = bodyOf<Deployment>(client.call(request(deployments, 'get', { namespace, name })));
  const selector = d.spec?.selector?.matchLabels;
  const labelSelector = selector ? Object.entries(selector).map(([k, v]) => `${k}=${v}`).join(',') : undefined;
  const list = bodyOf<{ items: ReplicaSet[] }>(client.call(request(resolveResource('replicasets'), 'list', {
    namespace, query: listQuery({ labelSelector }),
  })));
  const owned = list.items.filter((rs) => controllerOf(rs)?.uid === d.metadata?.uid);
  const plan = planRolloutUndo(d, owned, toRevision);
  if (plan.kind === 'error') throw new KubectlError(`error: ${plan.message}`);
  if (plan.kind === 'skipped') return plan.message;
  bodyOf(client.call(request(deployments, 'patch', { namespace, name, body: plan.patch, patchType: 'application/json-patch+json' })));
  return plan.message;
}

export interface DeleteOptions {
  namespace?: string;
  /** `-l`: delete every match instead of one name. */
  labelSelector?: string;
  /** With a selector: only the first `limit` matches (by name). Not a kubectl flag: "delete one pod". */
  limit?: number;
  gracePeriodSeconds?: number;
}

/** Deletes by name or selector; returns kubectl's lines (`pod "web-abc" deleted`) and what was deleted. */
export function deleteObjects(
  client: Requester, resource: ResourceInfo, name: string | undefined, opts: DeleteOptions = {},
): { lines: string[]; deleted: KubeObject[] } {
  const ns = namespaceFor(resource, opts.namespace);
  let names: string[];
  if (name !== undefined) names = [name];
  else {
    const list = bodyOf<{ items: KubeObject[] }>(client.call(request(resource, 'list', { namespace: ns, query: listQuery({ labelSelector: opts.labelSelector }) })));
    names = list.items.map((o) => o.metadata?.name ?? '').sort();
    if (opts.limit !== undefined) names = names.slice(0, opts.limit);
    if (names.length === 0) return { lines: [`No resources found in ${ns ?? 'the cluster'}.`], deleted: [] };
  }
  const lines: string[] = [];
  const deleted: KubeObject[] = [];
  for (const n of names) {
    const query: ApiRequest['query'] = { propagationPolicy: 'Background' };
    if (opts.gracePeriodSeconds !== undefined) query.gracePeriodSeconds = opts.gracePeriodSeconds;
    const obj = bodyOf<KubeObject>(client.call(request(resource, 'delete', { namespace: ns, name: n, query })));
    deleted.push(obj);
    lines.push(`${resource.kind.toLowerCase()}${resource.group ? `.${resource.group}` : ''} "${n}" deleted`);
  }
  return { lines, deleted };
}
