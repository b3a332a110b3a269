// The node lifecycle controller (pkg/controller/nodelifecycle) as a controller-manager module. Its work
// queue carries four kinds of key: the periodic health check, nodes whose NoSchedule taints must follow
// their conditions, pods bound to a node, and zones whose NoExecute tainter has work.
import type { Node, Pod } from 'kubernetes-types/core/v1.js';
import { isNotFound, metaNamespaceKey, queueAdd, type Delta } from '../../../src/client/index.ts';
import { defineController } from '../controller-module.ts';
import { monitorNodeHealth } from './monitor.ts';
import { MONITOR_KEY, newNodeLifecycleState, nodeKey, podKey, type NodeLifecycleState } from './state.ts';
import { tainterDone, tainterRetry } from './tainter.ts';
import { doNoExecuteTaintingPass, doNoScheduleTaintingPass, processPod, splitTainterCallKey, tainterRequeue } from './workers.ts';

type State = NodeLifecycleState;

const add = (state: State, key: string): State => ({ ...state, queue: queueAdd(state.queue, key) });

function onNodeDelta(state: State, delta: Delta<Node>): State {
  const name = delta.object.metadata?.name ?? '';
  if (delta.type !== 'deleted') return add(state, nodeKey(name));
  const retry = { ...state.retry };
  delete retry[name];
  return { ...state, retry };
}

/** podUpdated: only a pod newly bound to a node matters here. */
function onPodDelta(state: State, delta: Delta<Pod>): State {
  if (delta.type === 'deleted') return state;
  const node = delta.object.spec?.nodeName;
  const before = delta.type === 'updated' ? delta.old.spec?.nodeName : undefined;
  return node && node !== before ? add(state, podKey(metaNamespaceKey(delta.object))) : state;
}

export const nodeLifecycleController = defineController<State>({
  name: 'nodelifecycle',
  informers: ['nodes', 'leases', 'pods'],
  create: (config) => newNodeLifecycleState(config.rateLimiter),
  onDelta(state, informer, delta) {
    if (informer === 'nodes') return { state: onNodeDelta(state, delta as Delta<Node>) };
    if (informer === 'pods') return { state: onPodDelta(state, delta as Delta<Pod>) };
    return { state };
  },
  sync(state, key, ctx) {
    if (key === MONITOR_KEY) return monitorNodeHealth(state, ctx);
    const slash = key.indexOf('/');
    const [kind, rest] = [key.slice(0, slash), key.slice(slash + 1)];
    if (kind === 'node') return doNoScheduleTaintingPass(state, rest, ctx);
    if (kind === 'pod') return processPod(state, rest, ctx);
    if (kind === 'noexecute') return doNoExecuteTaintingPass(state, rest, ctx);
    return { state };
  },
  onCallResult(state, result, ctx) {
    const tag = result.call.tag;
    if (tag.kind !== 'op') return { state };
    if (tag.op === 'markPodNotReady' && result.failure && !isNotFound(result.failure)) {
      return { state: { ...state, retry: { ...state.retry, [tag.key]: true } } };
    }
    if (tag.op === 'noExecuteTaint') {
      const { zone, node } = splitTainterCallKey(tag.key);
      const t = state.tainters[zone];
      if (!t) return { state };
      // Tainted: done with the node (it stays in the set); failed: try it again at once.
      const next = { ...state, tainters: { ...state.tainters, [zone]: result.failure ? tainterRetry(t, node, ctx.now) : tainterDone(t, node) } };
      const requeueAfterMs = tainterRequeue(next, zone, ctx.now);
      return { state: next, ...(requeueAfterMs !== undefined ? { requeueAfterMs } : {}) };
    }
    return { state };
  },
});
