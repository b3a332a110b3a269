// A minimal stand-in for kube-apiserver, to measure (and unit-test) the scheduler alone: it serves lists
// and watches of the objects it was seeded with, answers pods/<name>/binding like BindingREST (201, or 409
// when already bound) and streams the bound pod as MODIFIED, and accepts events and status patches.
// No etcd, no admission, no validation: the only cost left in a run is the scheduler's.
import { assign, enqueueActions, setup } from 'xstate';
import type { Pod } from 'kubernetes-types/core/v1.js';
import type { HostedEmitted, HostedInput } from '../../src/host/contract.ts';
import type { ApiRequestMessage, ApiWatchCancelMessage, WatchEventBody } from '../../src/apiserver/protocol.ts';
import type { KubeObject } from '../../src/client/index.ts';

export interface StubApiserverConfig {
  /** Objects by plural resource. */
  objects: Record<string, KubeObject[]>;
  /** Leave this many binding requests unanswered (a lost connection), then answer again. */
  dropBinds?: number;
}

interface StubContext {
  rv: number;
  objects: Record<string, Map<string, KubeObject>>;
  watchers: { from: string; requestId: string; resource: string }[];
  binds: number;
  conflicts: number;
  dropBinds: number;
  /** Every request, in arrival order (verb, resource, subresource, name). */
  log: string[];
}

/** Test commands sent straight to the host. */
export type StubCommand = { type: 'stub.put'; resource: string; object: KubeObject };

export type { StubContext };

type StubEvent = (ApiRequestMessage & { from: string }) | (ApiWatchCancelMessage & { from: string }) | StubCommand;

const keyOf = (o: KubeObject) => (o.metadata?.namespace ? `${o.metadata.namespace}/${o.metadata.name}` : (o.metadata?.name ?? ''));

function put(ctx: StubContext, resource: string, object: KubeObject, emit: (e: HostedEmitted) => void, type: WatchEventBody['type']): KubeObject {
  ctx.rv++;
  const stored = { ...object, metadata: { ...object.metadata, resourceVersion: String(ctx.rv), uid: object.metadata?.uid ?? `uid-${keyOf(object)}` } };
  (ctx.objects[resource] ??= new Map()).set(keyOf(stored), stored);
  for (const w of ctx.watchers) {
    if (w.resource === resource) emit({ type: 'net.send', to: w.from, message: { type: 'api.watch', requestId: w.requestId, events: [{ type, object: stored }] } });
  }
  return stored;
}

export const stubApiserverMachine = setup({
  types: { context: {} as StubContext, events: {} as StubEvent, input: {} as HostedInput<StubApiserverConfig>, emitted: {} as HostedEmitted },
  actions: {
    serve: enqueueActions(({ context, event, enqueue }) => {
      if (event.type !== 'api.request') return;
      const r = event.request;
      context.log.push([r.verb, r.resource, r.subresource ?? '', r.name ?? ''].join(' ').trim());
      const respond = (code: number, body: unknown) =>
        enqueue.emit({ type: 'net.send', to: event.from, message: { type: 'api.response', requestId: event.requestId, code, body } });
      if (r.verb === 'list') {
        respond(200, { metadata: { resourceVersion: String(context.rv) }, items: [...(context.objects[r.resource]?.values() ?? [])] });
      } else if (r.verb === 'watch') {
        context.watchers.push({ from: event.from, requestId: event.requestId, resource: r.resource });
      } else if (r.verb === 'create' && r.resource === 'pods' && r.subresource === 'binding') {
        if (context.dropBinds > 0) {
          context.dropBinds--;
          return;
        }
        const pod = context.objects.pods?.get(`${r.namespace}/${r.name}`) as Pod | undefined;
        if (pod === undefined) return respond(404, { kind: 'Status', code: 404, reason: 'NotFound', message: `pods "${r.name}" not found` });
        if (pod.spec?.nodeName) {
          context.conflicts++;
          return respond(409, { kind: 'Status', code: 409, reason: 'Conflict', message: `Operation cannot be fulfilled on pods/binding "${r.name}": pod ${r.name} is already assigned to node "${pod.spec.nodeName}"` });
        }
        context.binds++;
        const target = (r.body as { target: { name: string } }).target.name;
        put(context, 'pods', { ...pod, spec: { ...pod.spec!, nodeName: target } } as KubeObject, (e) => enqueue.emit(e), 'MODIFIED');
        respond(201, { kind: 'Status', apiVersion: 'v1', status: 'Success', code: 201 });
      } else {
        respond(r.verb === 'create' ? 201 : 200, {});
      }
    }),
    cancel: assign(({ context, event }) => {
      if (event.type !== 'api.watch.cancel') return {};
      return { watchers: context.watchers.filter((w) => !(w.from === event.from && w.requestId === event.requestId)) };
    }),
    putObject: enqueueActions(({ context, event, enqueue }) => {
      if (event.type !== 'stub.put') return;
      const exists = context.objects[event.resource]?.has(keyOf(event.object)) ?? false;
      put(context, event.resource, event.object, (e) => enqueue.emit(e), exists ? 'MODIFIED' : 'ADDED');
    }),
  },
}).createMachine({
  id: 'stubApiserver',
  context: ({ input }) => {
    const objects: Record<string, Map<string, KubeObject>> = {};
    let rv = 0;
    for (const [resource, list] of Object.entries(input.config.objects)) {
      objects[resource] = new Map(list.map((o) => [keyOf(o), { ...o, metadata: { ...o.metadata, uid: o.metadata?.uid ?? `uid-${keyOf(o)}`, resourceVersion: String(++rv) } }]));
    }
    return { rv, objects, watchers: [], binds: 0, conflicts: 0, dropBinds: input.config.dropBinds ?? 0, log: [] };
  },
  initial: 'serving',
  states: {
    serving: {
      on: { 'api.request': { actions: 'serve' }, 'api.watch.cancel': { actions: 'cancel' }, 'stub.put': { actions: 'putObject' } },
    },
  },
});
