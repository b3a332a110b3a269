// The in-memory API behind the fake apiserver: objects per resource with one resourceVersion counter
// (etcd's revision), a bounded event history for watch replay, and the verbs get/list/create/update
// (+status)/delete (with cascading to dependents)/merge-patch. Pure functions over plain data.
import type { KubeObject } from '../../src/client/index.ts';
import { alreadyExists, conflict, notFound, statusError, type ApiRequest, type Status } from '../../src/apiserver/protocol.ts';
import {
  apiVersionOf, applyDefaults, canonicalJson, defaultForCreate, matches, NAME_ALPHABET, parseSelector, resourceForPlural,
} from '../../src/api/index.ts';
import { rfc3339 } from '../../src/kubelet/format.ts';
import { rngNext, type RngState } from '../../src/sim/random.ts';

export type WatchEventType = 'ADDED' | 'MODIFIED' | 'DELETED';

export interface HistoryEntry {
  rv: number;
  resource: string;
  type: WatchEventType;
  object: KubeObject;
}

export interface ApiStore {
  rv: number;
  uidSeq: number;
  rng: RngState;
  objects: Record<string, Record<string, KubeObject>>;
  history: HistoryEntry[];
  /** Watches from a resourceVersion below this are answered 410 Expired. */
  compactedRv: number;
  historyLimit: number;
}

export interface ApiResult {
  store: ApiStore;
  code: number;
  body: unknown;
  /** The watch events this request caused, in order. */
  events: HistoryEntry[];
}

export function emptyApiStore(rng: RngState, historyLimit: number): ApiStore {
  return { rv: 1, uidSeq: 0, rng, objects: {}, history: [], compactedRv: 0, historyLimit };
}

export function objectsOf(store: ApiStore, resource: string): KubeObject[] {
  const map = store.objects[resource] ?? {};
  return Object.keys(map).sort().map((key) => map[key]);
}

const STATUS_SUBRESOURCE = new Set(['pods', 'deployments', 'replicasets']);
const fail = (store: ApiStore, status: Status): ApiResult => ({ store, code: status.code, body: status, events: [] });

function record(store: ApiStore, resource: string, type: WatchEventType, object: KubeObject): [ApiStore, HistoryEntry] {
  const entry: HistoryEntry = { rv: store.rv, resource, type, object };
  let history = [...store.history, entry];
  let compactedRv = store.compactedRv;
  if (history.length > store.historyLimit) {
    const dropped = history.length - store.historyLimit;
    compactedRv = history[dropped - 1].rv;
    history = history.slice(dropped);
  }
  return [{ ...store, history, compactedRv }, entry];
}

function put(store: ApiStore, resource: string, key: string, obj: KubeObject): ApiStore {
  return { ...store, objects: { ...store.objects, [resource]: { ...store.objects[resource], [key]: obj } } };
}

function remove(store: ApiStore, resource: string, key: string): ApiStore {
  const map = { ...store.objects[resource] };
  delete map[key];
  return { ...store, objects: { ...store.objects, [resource]: map } };
}

function drawSuffix(rng: RngState): [string, RngState] {
  let state = rng;
  let out = '';
  for (let i = 0; i < 5; i++) {
    const [u, next] = rngNext(state);
    state = next;
    out += NAME_ALPHABET[Math.min(NAME_ALPHABET.length - 1, Math.floor(u * NAME_ALPHABET.length))];
  }
  return [out, state];
}

function keyOf(namespace: string | undefined, name: string): string {
  return namespace ? `${namespace}/${name}` : name;
}

function withoutVersion(obj: KubeObject): string {
  return canonicalJson({ ...obj, metadata: { ...obj.metadata, resourceVersion: undefined } });
}

function specOf(obj: KubeObject): string {
  return canonicalJson((obj as { spec?: unknown }).spec ?? null);
}

function info(request: Pick<ApiRequest, 'resource' | 'group'>) {
  return resourceForPlural(request.resource, request.group);
}

export function apiGet(store: ApiStore, request: ApiRequest): ApiResult {
  const obj = store.objects[request.resource]?.[keyOf(request.namespace, request.name ?? '')];
  if (!obj) return fail(store, notFound(request.group, request.resource, request.name ?? ''));
  return { store, code: 200, body: obj, events: [] };
}

export function selects(labelSelector: string | undefined, obj: KubeObject): boolean {
  return !labelSelector || matches(parseSelector(labelSelector), obj.metadata?.labels);
}

export function apiList(store: ApiStore, request: ApiRequest): ApiResult {
  const r = info(request);
  if (!r) return fail(store, notFound(request.group, request.resource, ''));
  const items = objectsOf(store, request.resource).filter(
    (obj) => (!request.namespace || obj.metadata?.namespace === request.namespace) && selects(request.query?.labelSelector, obj),
  );
  return {
    store, code: 200, events: [],
    body: { apiVersion: apiVersionOf(r), kind: `${r.kind}List`, metadata: { resourceVersion: String(store.rv) }, items },
  };
}

export function apiCreate(store: ApiStore, request: ApiRequest, now: number): ApiResult {
  const r = info(request);
  if (!r) return fail(store, notFound(request.group, request.resource, ''));
  const body = structuredClone(request.body ?? {}) as KubeObject;
  const namespace = r.namespaced ? (request.namespace ?? body.metadata?.namespace ?? 'default') : undefined;
  let rng = store.rng;
  let name = body.metadata?.name;
  if (!name && body.metadata?.generateName) {
    do {
      const [suffix, next] = drawSuffix(rng);
      rng = next;
      name = body.metadata.generateName.slice(0, 58) + suffix;
    } while (store.objects[request.resource]?.[keyOf(namespace, name)]);
  }
  if (!name) return fail(store, statusError('Invalid', `${r.kind} "" is invalid: metadata.name: Required value: name or generateName is required`));
  const key = keyOf(namespace, name);
  if (store.objects[request.resource]?.[key]) return fail({ ...store, rng }, alreadyExists(request.group, request.resource, name));
  const rv = store.rv + 1;
  const uidSeq = store.uidSeq + 1;
  const created = defaultForCreate({
    ...body,
    apiVersion: apiVersionOf(r),
    kind: r.kind,
    metadata: {
      ...body.metadata, name, ...(namespace ? { namespace } : {}), uid: `uid-${uidSeq}`,
      creationTimestamp: rfc3339(now), resourceVersion: String(rv),
    },
  });
  const [recorded, entry] = record(put({ ...store, rv, uidSeq, rng }, request.resource, key, created), request.resource, 'ADDED', created);
  return { store: recorded, code: 201, body: created, events: [entry] };
}

/** PUT (and PUT …/status). `force` skips the resourceVersion precondition (test helpers). */
export function apiUpdate(store: ApiStore, request: ApiRequest, force = false): ApiResult {
  const key = keyOf(request.namespace, request.name ?? '');
  const old = store.objects[request.resource]?.[key];
  if (!old) return fail(store, notFound(request.group, request.resource, request.name ?? ''));
  const body = structuredClone(request.body ?? {}) as KubeObject;
  const precondition = body.metadata?.resourceVersion;
  if (!force && precondition && precondition !== old.metadata?.resourceVersion) {
    return fail(store, conflict(request.group, request.resource, request.name ?? ''));
  }
  let next: KubeObject;
  if (request.subresource === 'status') {
    // Status writes keep spec and labels; annotations pass (the deployment controller's revision rides on it).
    next = {
      ...old,
      metadata: { ...old.metadata, annotations: body.metadata?.annotations ?? old.metadata?.annotations },
      status: (body as { status?: unknown }).status,
    } as KubeObject;
  } else {
    const defaulted = applyDefaults(body);
    const keepStatus = STATUS_SUBRESOURCE.has(request.resource) ? { status: (old as { status?: unknown }).status } : {};
    const generation = old.metadata?.generation;
    next = {
      ...defaulted,
      ...keepStatus,
      apiVersion: old.apiVersion,
      kind: old.kind,
      metadata: {
        ...defaulted.metadata,
        name: old.metadata?.name,
        namespace: old.metadata?.namespace,
        uid: old.metadata?.uid,
        creationTimestamp: old.metadata?.creationTimestamp,
        ...(generation !== undefined ? { generation: specOf(defaulted) === specOf(old) ? generation : generation + 1 } : {}),
      },
    };
  }
  // A write that changes nothing is not a new revision, and no watch event (as with etcd-backed storage).
  if (withoutVersion(next) === withoutVersion(old)) return { store, code: 200, body: old, events: [] };
  const rv = store.rv + 1;
  next = { ...next, metadata: { ...next.metadata, resourceVersion: String(rv) } };
  const [recorded, entry] = record(put({ ...store, rv }, request.resource, key, next), request.resource, 'MODIFIED', next);
  return { store: recorded, code: 200, body: next, events: [entry] };
}

/** RFC 7386 JSON merge patch. */
export function mergePatch(target: unknown, patch: unknown): unknown {
  if (typeof patch !== 'object' || patch === null || Array.isArray(patch)) return patch;
  const base = typeof target === 'object' && target !== null && !Array.isArray(target) ? { ...(target as Record<string, unknown>) } : {};
  for (const [k, v] of Object.entries(patch)) {
    if (v === null) delete base[k];
    else base[k] = mergePatch(base[k], v);
  }
  return base;
}

export function apiPatch(store: ApiStore, request: ApiRequest): ApiResult {
  if (request.patchType !== 'application/merge-patch+json') {
    return fail(store, statusError('UnsupportedMediaType', `the fake apiserver only supports merge patches, not ${request.patchType}`));
  }
  const old = store.objects[request.resource]?.[keyOf(request.namespace, request.name ?? '')];
  if (!old) return fail(store, notFound(request.group, request.resource, request.name ?? ''));
  return apiUpdate(store, { ...request, verb: 'update', body: mergePatch(old, request.body) });
}

/** DELETE: immediate (no graceful termination), cascading to dependents unless propagationPolicy=Orphan. */
export function apiDelete(store: ApiStore, request: ApiRequest): ApiResult {
  const key = keyOf(request.namespace, request.name ?? '');
  const old = store.objects[request.resource]?.[key];
  if (!old) return fail(store, notFound(request.group, request.resource, request.name ?? ''));
  const rv = store.rv + 1;
  const gone = { ...old, metadata: { ...old.metadata, resourceVersion: String(rv) } };
  let [next, entry] = record(remove({ ...store, rv }, request.resource, key), request.resource, 'DELETED', gone);
  const events = [entry];
  if (request.query?.propagationPolicy !== 'Orphan') {
    for (const [resource, map] of Object.entries(next.objects)) {
      for (const dependent of Object.values(map)) {
        if (!dependent.metadata?.ownerReferences?.some((ref) => ref.uid === old.metadata?.uid)) continue;
        const cascade = apiDelete(next, { verb: 'delete', group: '', version: 'v1', resource, namespace: dependent.metadata.namespace, name: dependent.metadata.name });
        next = cascade.store;
        events.push(...cascade.events);
      }
    }
  }
  return { store: next, code: 200, body: gone, events };
}

/** Forgets all history: any watch from an older resourceVersion now gets 410. */
export function compactAll(store: ApiStore): ApiStore {
  return { ...store, history: [], compactedRv: store.rv };
}
