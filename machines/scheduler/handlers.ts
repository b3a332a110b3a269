// The scheduler's informer event handlers (pkg/scheduler/eventhandlers.go, queueing hints off):
//   pods, assigned          → the cache (add / update / remove), then the queue hears AssignedPod* events
//   pods, unassigned, ours  → the scheduling queue (add / update / delete)
//   nodes                   → the cache, then unschedulable pods the change may help are moved
//   services, replicasets   → the snapshot's workloads (PodTopologySpread's DefaultSelector)
// A pod leaving one filter and entering the other (it got bound) is a delete for the first handler
// and an add for the second, as client-go's FilteringResourceEventHandler delivers it.
import type { Node, Pod } from 'kubernetes-types/core/v1.js';
import { storeGet, type Delta } from '../../src/client/index.ts';
import { AssignedPodDelete, NodeAdd, nodeSchedulingPropertiesChange, preCheckForNode } from '../../src/scheduler/index.ts';
import { DEFAULT_SCHEDULER_NAME } from './config.ts';
import type { Step } from './state.ts';

const assigned = (pod: Pod): boolean => (pod.spec?.nodeName ?? '') !== '';

/** responsibleForPod: the pod names our profile (the API defaults an empty schedulerName). */
function responsible(step: Step, pod: Pod): boolean {
  return (pod.spec?.schedulerName || DEFAULT_SCHEDULER_NAME) === step.state.config.schedulerName;
}

function namespaceLabels(step: Step, pod: Pod) {
  return storeGet(step.state.informers.namespaces.store, pod.metadata?.namespace ?? 'default')?.metadata?.labels ?? undefined;
}

// ---- pods: the scheduler cache -------------------------------------------------------------------

function addPodToCache(step: Step, pod: Pod): void {
  step.state.cache.addPod(pod);
  step.state.queue.assignedPodAdded(pod, step.now, namespaceLabels(step, pod));
}

function updatePodInCache(step: Step, oldPod: Pod, newPod: Pod): void {
  // A delete and a re-create under the same name can arrive merged as one update.
  if (oldPod.metadata?.uid !== newPod.metadata?.uid) {
    deletePodFromCache(step, oldPod);
    addPodToCache(step, newPod);
    return;
  }
  step.state.cache.updatePod(newPod);
  step.state.queue.assignedPodUpdated(newPod, step.now, namespaceLabels(step, newPod));
}

function deletePodFromCache(step: Step, pod: Pod): void {
  step.state.cache.removePod(pod);
  step.state.queue.moveAllToActiveOrBackoffQueue(AssignedPodDelete, step.now);
}

// ---- pods: the scheduling queue ------------------------------------------------------------------

function updatePodInSchedulingQueue(step: Step, oldPod: Pod, newPod: Pod): void {
  // Identical objects (a resync or relist) would let a duplicate go through scheduling (#96071).
  if (oldPod.metadata?.resourceVersion === newPod.metadata?.resourceVersion) return;
  if (step.state.cache.isAssumed(newPod)) return;
  step.state.queue.update(oldPod, newPod, step.now);
}

export function onPodDelta(step: Step, delta: Delta<Pod>): void {
  const queue = step.state.queue;
  const ours = (pod: Pod) => !assigned(pod) && responsible(step, pod);
  switch (delta.type) {
    case 'added':
      if (assigned(delta.object)) addPodToCache(step, delta.object);
      if (ours(delta.object)) queue.add(delta.object, step.now);
      return;
    case 'updated': {
      const { old, object } = delta;
      if (assigned(old) && assigned(object)) updatePodInCache(step, old, object);
      else if (assigned(object)) addPodToCache(step, object);
      else if (assigned(old)) deletePodFromCache(step, old);
      if (ours(old) && ours(object)) updatePodInSchedulingQueue(step, old, object);
      else if (ours(object)) queue.add(object, step.now);
      else if (ours(old)) queue.delete(old);
      return;
    }
    case 'deleted':
      // A tombstone's object may be stale: clean up on both sides.
      if (assigned(delta.object) || delta.finalStateUnknown) deletePodFromCache(step, delta.object);
      if (delta.finalStateUnknown ? responsible(step, delta.object) : ours(delta.object)) queue.delete(delta.object);
      return;
  }
}

// ---- nodes -----------------------------------------------------------------------------------------

function nodeName(node: Node): string {
  return node.metadata?.name ?? '';
}

export function onNodeDelta(step: Step, delta: Delta<Node>): void {
  const { cache, queue } = step.state;
  switch (delta.type) {
    case 'added': {
      cache.addNode(delta.object);
      const info = cache.nodeInfo(nodeName(delta.object));
      queue.moveAllToActiveOrBackoffQueue(NodeAdd, step.now, info === undefined ? undefined : preCheckForNode(info));
      return;
    }
    case 'updated': {
      cache.updateNode(delta.object);
      // Only requeue unschedulable pods if the node became more schedulable.
      const events = nodeSchedulingPropertiesChange(delta.object, delta.old);
      if (events.length === 0) return;
      const info = cache.nodeInfo(nodeName(delta.object));
      const preCheck = info === undefined ? undefined : preCheckForNode(info);
      for (const event of events) queue.moveAllToActiveOrBackoffQueue(event, step.now, preCheck);
      return;
    }
    case 'deleted':
      cache.removeNode(nodeName(delta.object));
      return;
  }
}

/** Services and ReplicaSets only feed the snapshot's workloads; no plugin requeues on them. */
export function onWorkloadDelta(step: Step): void {
  step.state.workloadsChanged = true;
}
