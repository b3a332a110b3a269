// The namespace controller (pkg/controller/namespace): a namespace being deleted (Terminating) has all
// its content deleted, resource by resource (deletecollection); while some remains (pods in their grace
// period, objects held by finalizers) it looks again later; once none is left it removes its
// `kubernetes` finalizer through namespaces/<n>/finalize, and the namespace goes.
import type { Namespace, Pod } from 'kubernetes-types/core/v1.js';
import { RESOURCES } from '../../../src/api/index.ts';
import type { ApiRequest } from '../../../src/apiserver/protocol.ts';
import { getByKey, newWorkQueue, queueAddAfter, type KubeObject, type ResourceTarget } from '../../../src/client/index.ts';
import { defineController, type ControllerBase, type ControllerContext, type Synced } from '../controller-module.ts';
import { NAMESPACES } from '../informers.ts';
import type { PlannedCall, Step } from '../jobs.ts';

/** namespaceDeletionGracePeriod: act 5 s after the deletion is seen (HA apiservers catch up meanwhile). */
export const NAMESPACE_DELETION_GRACE_PERIOD_MS = 5_000;
/** finalizerEstimateSeconds: how long content held by finalizers is given. */
export const FINALIZER_ESTIMATE_SECONDS = 15;
export const KUBERNETES_FINALIZER = 'kubernetes';

/** What is left in each namespace after the last deletecollection round (answers to the lists). */
interface Remaining {
  readonly count: number;
  /** Seconds the remaining content is expected to take (graceful pods, finalizers). */
  readonly estimate: number;
  /** A list failed: the round says nothing. */
  readonly unknown: boolean;
}

export interface NamespaceControllerState extends ControllerBase {
  readonly remaining: Readonly<Record<string, Remaining>>;
}

type State = NamespaceControllerState;

/** The namespaced resources the apiserver serves that can be deleted by collection (discovery upstream). */
const CONTENT: readonly ResourceTarget[] = RESOURCES
  .filter((r) => r.namespaced && r.group !== 'events.k8s.io' && r.verbs.includes('deletecollection') && r.verbs.includes('list'))
  .map((r) => ({ group: r.group, version: r.version, resource: r.plural }));

function request(verb: ApiRequest['verb'], target: ResourceTarget, namespace: string, ctx: ControllerContext): ApiRequest {
  return { verb, group: target.group, version: target.version, resource: target.resource, namespace, user: ctx.config.user };
}

const finalized = (ns: Namespace) => !(ns.spec?.finalizers ?? []).includes(KUBERNETES_FINALIZER);

/** The namespace's finalize write, then its deletion (the model's apiserver does not delete on finalize). */
function finalizeSteps(ns: Namespace, ctx: ControllerContext): Step {
  const name = ns.metadata?.name ?? '';
  const remove: PlannedCall = {
    request: { verb: 'delete', ...NAMESPACES, name, user: ctx.config.user }, tag: { kind: 'write' }, tolerateNotFound: true,
  };
  if (finalized(ns)) return { label: 'write', calls: [remove] };
  const body = { ...ns, spec: { ...ns.spec, finalizers: (ns.spec?.finalizers ?? []).filter((f) => f !== KUBERNETES_FINALIZER) } };
  return {
    label: 'write',
    calls: [{ request: { verb: 'update', ...NAMESPACES, name, subresource: 'finalize', body, user: ctx.config.user }, tag: { kind: 'write' }, tolerateNotFound: true, then: [remove] }],
  };
}

function syncNamespace(state: State, name: string, ctx: ControllerContext): Synced<State> {
  const ns = getByKey(ctx.informers.namespaces, name);
  if (!ns?.metadata?.deletionTimestamp) return { state };
  if (finalized(ns)) return { state, plan: { steps: [finalizeSteps(ns, ctx)] } };
  // deleteAllContent: every resource by collection, then a list of each to see what is left.
  const deletes = CONTENT.map((t): PlannedCall => ({ request: request('deletecollection', t, name, ctx), tag: { kind: 'write' }, tolerateNotFound: true }));
  const lists = CONTENT.map((t): PlannedCall => ({ request: request('list', t, name, ctx), tag: { kind: 'op', op: `remaining:${t.resource}`, key: name } }));
  return {
    state: { ...state, remaining: { ...state.remaining, [name]: { count: 0, estimate: 0, unknown: false } } },
    plan: { steps: [{ label: 'manage', calls: deletes }, { label: 'manage', calls: lists }], finalizer: { kind: 'opaque', data: name } },
  };
}

/** estimateGracefulTermination (pods) and finalizerEstimateSeconds (anything held by a finalizer). */
function estimateOf(resource: string, items: readonly KubeObject[]): number {
  let estimate = 0;
  for (const item of items) {
    if (resource === 'pods') {
      const pod = item as Pod;
      if (pod.status?.phase !== 'Succeeded' && pod.status?.phase !== 'Failed') estimate = Math.max(estimate, pod.spec?.terminationGracePeriodSeconds ?? 0);
    }
    if ((item.metadata?.finalizers ?? []).length > 0) estimate = Math.max(estimate, FINALIZER_ESTIMATE_SECONDS);
  }
  return estimate;
}

export const namespaceController = defineController<State>({
  name: 'namespace',
  informers: ['namespaces'],
  create: (config) => ({ queue: newWorkQueue(config.rateLimiter), jobs: {}, remaining: {} }),
  onDelta(state, _informer, delta, ctx) {
    const ns = delta.object as Namespace;
    if (delta.type === 'deleted' || !ns.metadata?.deletionTimestamp) return { state };
    return { state: { ...state, queue: queueAddAfter(state.queue, ns.metadata.name ?? '', NAMESPACE_DELETION_GRACE_PERIOD_MS, ctx.now) } };
  },
  sync: syncNamespace,
  onCallResult(state, result) {
    const tag = result.call.tag;
    if (tag.kind !== 'op' || !tag.op.startsWith('remaining:')) return { state };
    const r = state.remaining[tag.key] ?? { count: 0, estimate: 0, unknown: false };
    if (result.failure) return { state: { ...state, remaining: { ...state.remaining, [tag.key]: { ...r, unknown: true } } } };
    const items = ((result.body as { items?: KubeObject[] })?.items ?? []);
    const next = { count: r.count + items.length, estimate: Math.max(r.estimate, estimateOf(tag.op.slice('remaining:'.length), items)), unknown: r.unknown };
    return { state: { ...state, remaining: { ...state.remaining, [tag.key]: next } } };
  },
  finalize(state, finalizer, failure, ctx) {
    if (finalizer.kind !== 'opaque') return {};
    const name = finalizer.data as string;
    const r = state.remaining[name];
    const rest = { ...state.remaining };
    delete rest[name];
    const next = { ...state, remaining: rest };
    const ns = getByKey(ctx.informers.namespaces, name);
    if (failure || !r || r.unknown || !ns) return { state: next };
    // Content remains: look again in estimate/2 + 1 seconds (ResourcesRemainingError).
    if (r.count > 0) return { state: next, requeueAfterMs: (Math.floor(r.estimate / 2) + 1) * 1000 };
    return { state: next, step: finalizeSteps(ns, ctx) };
  },
});
