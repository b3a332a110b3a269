// printPod: NAME READY STATUS RESTARTS AGE | IP NODE NOMINATED NODE READINESS GATES.
import type { Pod } from 'kubernetes-types/core/v1.js';
import { podColumns } from '../../../kubelet/pod-columns.ts';
import { AGE_COLUMN, column, NAME_COLUMN } from '../columns.ts';
import { since } from '../format.ts';
import type { Printer, RowCondition } from '../printer.ts';

function mainCells(pod: Pod, now: number): [string, string, string, string] {
  try {
    const c = podColumns(pod, now);
    return [c.ready, c.status, c.restarts, c.age];
  } catch {
    // A container status with an unreadable time: print what does not depend on it.
    return ['0/0', pod.status?.reason || pod.status?.phase || '', '0', since(pod.metadata?.creationTimestamp, now)];
  }
}

function readinessGates(pod: Pod): string {
  const gates = pod.spec?.readinessGates ?? [];
  if (gates.length === 0) return '<none>';
  const conditions = pod.status?.conditions ?? [];
  const ready = gates.filter((g) => conditions.find((c) => c.type === g.conditionType)?.status === 'True').length;
  return `${ready}/${gates.length}`;
}

export const podPrinter: Printer = {
  columns: [
    NAME_COLUMN,
    column('Ready', 'The aggregate readiness state of this pod for accepting traffic.'),
    column('Status', 'The aggregate status of the containers in this pod.'),
    column('Restarts', 'The number of times the containers in this pod have been restarted and when the last container in this pod has restarted.'),
    AGE_COLUMN,
    column('IP', 'podIP address allocated to the pod. Routable at least within the cluster. Empty if not yet allocated.', { wide: true }),
    column('Node', 'NodeName indicates in which node this pod is scheduled. If empty, this pod is a candidate for scheduling by the scheduler defined in schedulerName. Once this field is set, the kubelet for this node becomes responsible for the lifecycle of this pod. This field should not be used to express a desire for the pod to be scheduled on a specific node. https://kubernetes.io/docs/concepts/scheduling-eviction/assign-pod-node/#nodename', { wide: true }),
    column('Nominated Node', 'nominatedNodeName is set only when this pod preempts other pods on the node, but it cannot be scheduled right away as preemption victims receive their graceful termination periods. This field does not guarantee that the pod will be scheduled on this node. Scheduler may decide to place the pod elsewhere if other nodes become available sooner. Scheduler may also decide to give the resources on this node to a higher priority pod that is created after preemption. As a result, this field may be different than PodSpec.nodeName when the pod is scheduled.', { wide: true }),
    column('Readiness Gates', 'If specified, all readiness gates will be evaluated for pod readiness. A pod is ready when all its containers are ready AND all conditions specified in the readiness gates have status equal to "True" More info: https://git.k8s.io/enhancements/keps/sig-network/580-pod-readiness-gates', { wide: true }),
  ],
  cells(pod: Pod, now) {
    const [ready, status, restarts, age] = mainCells(pod, now);
    const ip = pod.status?.podIPs?.[0]?.ip || '<none>';
    return [
      pod.metadata?.name ?? '', ready, status, restarts, age,
      ip, pod.spec?.nodeName || '<none>', pod.status?.nominatedNodeName || '<none>', readinessGates(pod),
    ];
  },
  conditions(pod: Pod): RowCondition[] | undefined {
    if (pod.status?.phase === 'Succeeded') return [{ type: 'Completed', status: 'True', reason: 'Succeeded', message: 'The pod has completed successfully.' }];
    if (pod.status?.phase === 'Failed') return [{ type: 'Completed', status: 'True', reason: 'Failed', message: 'The pod failed.' }];
    return undefined;
  },
};
