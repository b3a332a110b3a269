// The taint eviction controller (pkg/controller/tainteviction, its own controller since 1.29): pods on a
// node with NoExecute taints they do not tolerate are deleted at once; pods that tolerate them for
// tolerationSeconds are deleted when that runs out, unless the taints go first. Deletions are timed
// work: an `evict/<pod>` key due at the deadline, checked against the work still scheduled.
import type { Node, Pod, Taint } from 'kubernetes-types/core/v1.js';
import { canonicalJson } from '../../../src/api/index.ts';
import { NODE_NAME_INDEX, PODS, deleteRequest, getByKey, listByIndex, metaNamespaceKey, mergePatchRequest, queueAdd, queueAddAfter, splitMetaNamespaceKey, type Delta } from '../../../src/client/index.ts';
import { rfc3339 } from '../../../src/kubelet/format.ts';
import { defineController, type ControllerContext, type Synced } from '../controller-module.ts';
import type { EventSpec } from '../events.ts';
import { objectKeyOf, type PlannedCall } from '../jobs.ts';
import { noExecuteTaints } from '../node-util.ts';
import { TAINT_EVICTION_COMPONENT, evictKey, newTaintEvictionState, nodeKey, podKey, type TaintEvictionState } from './state.ts';
import { matchingTolerations, minTolerationTimeMs } from './tolerations.ts';

type State = TaintEvictionState;

function podEvent(key: string, message: string): EventSpec {
  const { namespace, name } = splitMetaNamespaceKey(key);
  return { type: 'Normal', reason: 'TaintManagerEviction', message, involvedObject: { apiVersion: 'v1', kind: 'Pod', name, namespace }, component: TAINT_EVICTION_COMPONENT };
}

/** A small mutable scratchpad for one handler or sync. */
class Scratch {
  readonly events: EventSpec[] = [];
  constructor(public state: State, readonly ctx: ControllerContext) {}

  /** cancelWorkWithEvent: a scheduled (not yet done) deletion is called off, with an event. */
  cancel(key: string): void {
    if (!(key in this.state.workers)) return;
    if (this.state.workers[key]) this.events.push(podEvent(key, `Cancelling deletion of Pod ${key}`));
    const workers = { ...this.state.workers };
    delete workers[key];
    this.state = { ...this.state, workers };
  }

  /** AddWork: schedule a deletion unless one is (or was) already there. */
  addWork(key: string, createdAt: number, fireAt: number): void {
    if (key in this.state.workers) return;
    this.state = {
      ...this.state,
      workers: { ...this.state.workers, [key]: { createdAt, fireAt } },
      queue: queueAddAfter(this.state.queue, evictKey(key), fireAt - this.ctx.now, this.ctx.now),
    };
  }

  processPodOnNode(key: string, pod: Pod, taints: readonly Taint[]): void {
    const now = this.ctx.now;
    if (taints.length === 0) {
      this.cancel(key);
      return;
    }
    const [allTolerated, used] = matchingTolerations(taints, pod.spec?.tolerations);
    if (!allTolerated) {
      this.cancel(key);
      this.addWork(key, now, now);
      return;
    }
    let minMs = minTolerationTimeMs(used);
    if (minMs < 0) {
      this.cancel(key);
      return;
    }
    if (this.ctx.config.plant === 'evict-without-toleration-wait') minMs = 0; // planted bug
    const scheduled = this.state.workers[key];
    let startTime = now;
    if (scheduled) {
      startTime = scheduled.createdAt;
      // Work scheduled earlier keeps its deadline.
      if (startTime + minMs < now + minMs) return;
      this.cancel(key);
    }
    this.addWork(key, startTime, now + minMs);
  }

  done(): Synced<State> {
    return { state: this.state, events: this.events };
  }
}

function handleNodeUpdate(state: State, name: string, ctx: ControllerContext): Synced<State> {
  const s = new Scratch(state, ctx);
  const node = getByKey(ctx.informers.nodes, name);
  const taintedNodes = { ...state.taintedNodes };
  if (!node) {
    delete taintedNodes[name];
    return { state: { ...state, taintedNodes } };
  }
  const taints = noExecuteTaints(node);
  if (taints.length === 0) delete taintedNodes[name];
  else taintedNodes[name] = taints;
  s.state = { ...s.state, taintedNodes };
  for (const pod of listByIndex(ctx.informers.pods, NODE_NAME_INDEX, name)) s.processPodOnNode(metaNamespaceKey(pod), pod, taints);
  return s.done();
}

function handlePodUpdate(state: State, key: string, ctx: ControllerContext): Synced<State> {
  const s = new Scratch(state, ctx);
  const pod = getByKey(ctx.informers.pods, key);
  if (!pod) {
    s.cancel(key);
    return s.done();
  }
  const nodeName = pod.spec?.nodeName;
  const taints = nodeName ? state.taintedNodes[nodeName] : undefined;
  // Not bound, or its node has no NoExecute taints (any deletion was cancelled when they went).
  if (!taints) return s.done();
  s.processPodOnNode(key, pod, taints);
  return s.done();
}

/** The timed work fires: record the event, mark the pod DisruptionTarget, delete it. */
function evict(state: State, key: string, ctx: ControllerContext): Synced<State> {
  const work = state.workers[key];
  if (!work) return { state };
  if (work.fireAt > ctx.now) return { state, plan: { steps: [], requeueAfterMs: work.fireAt - ctx.now } };
  const { namespace, name } = splitMetaNamespaceKey(key);
  const remove: PlannedCall = {
    request: deleteRequest(PODS, name, { namespace, user: ctx.config.user }),
    tag: { kind: 'op', op: 'evict', key },
    tolerateNotFound: true,
  };
  const pod = getByKey(ctx.informers.pods, key);
  const events = [podEvent(key, `Marking for deletion Pod ${key}`)];
  if (!pod) return { state, plan: { steps: [{ label: 'write', calls: [remove] }] }, events };
  const condition = {
    type: 'DisruptionTarget', status: 'True', reason: 'DeletionByTaintManager', message: 'Taint manager: deleting due to NoExecute taint',
    lastTransitionTime: rfc3339(ctx.now),
  };
  const others = (pod.status?.conditions ?? []).filter((c) => c.type !== 'DisruptionTarget');
  const markIt: PlannedCall = {
    request: mergePatchRequest(PODS, name, { metadata: { resourceVersion: pod.metadata?.resourceVersion }, status: { conditions: [...others, condition] } }, { namespace, user: ctx.config.user }),
    tag: { kind: 'write' },
    objectKey: objectKeyOf('pods', pod),
    then: [remove],
  };
  return { state, plan: { steps: [{ label: 'write', calls: [{ ...markIt, request: { ...markIt.request, subresource: 'status' } }] }] }, events };
}

const tolerationsAndNode = (pod: Pod) => canonicalJson([pod.spec?.nodeName ?? '', pod.spec?.tolerations ?? []]);

export const taintEvictionController = defineController<State>({
  name: 'taint-eviction-controller',
  informers: ['nodes', 'pods'],
  create: (config) => newTaintEvictionState(config.rateLimiter),
  onDelta(state, informer, delta) {
    if (informer === 'nodes') {
      const d = delta as Delta<Node>;
      // NodeUpdated: only a change of NoExecute taints (or the node's arrival or removal) matters.
      if (d.type === 'updated' && canonicalJson(noExecuteTaints(d.old)) === canonicalJson(noExecuteTaints(d.object))) return { state };
      return { state: { ...state, queue: queueAdd(state.queue, nodeKey(d.object.metadata?.name ?? '')) } };
    }
    if (informer === 'pods') {
      const d = delta as Delta<Pod>;
      // PodUpdated: only a change of node or tolerations (or the pod's arrival or removal) matters.
      if (d.type === 'updated' && tolerationsAndNode(d.old) === tolerationsAndNode(d.object)) return { state };
      return { state: { ...state, queue: queueAdd(state.queue, podKey(metaNamespaceKey(d.object))) } };
    }
    return { state };
  },
  sync(state, key, ctx) {
    const slash = key.indexOf('/');
    const [kind, rest] = [key.slice(0, slash), key.slice(slash + 1)];
    if (kind === 'node') return handleNodeUpdate(state, rest, ctx);
    if (kind === 'pod') return handlePodUpdate(state, rest, ctx);
    if (kind === 'evict') return evict(state, rest, ctx);
    return { state };
  },
  onCallResult(state, result) {
    const tag = result.call.tag;
    // Deleted (or already gone): the work is done; it stays known so it is not scheduled again.
    if (tag.kind === 'op' && tag.op === 'evict' && (!result.failure || result.failure.code === 404)) {
      return { state: { ...state, workers: { ...state.workers, [tag.key]: null } } };
    }
    return { state };
  },
});
