// A running cluster as the convergence checker reads it: every resource it judges, listed through the API
// (which runs the simulation while it waits), plus each node's kernel rules as its kube-proxy wrote them.
import { fromResourceLists, type ClusterView } from '../src/check/convergence/index.ts';
import type { Cluster } from '../src/cluster/index.ts';
import { kubeProxyAddress, readNodeRules } from '../src/network/kernel.ts';

export const CONVERGENCE_RESOURCES = ['nodes', 'pods', 'services', 'endpoints', 'endpointslices', 'deployments', 'replicasets', 'daemonsets', 'jobs'] as const;

/** `down`: nodes known dead (their kubelet is not expected to report). */
export function clusterView(cluster: Cluster, down: readonly string[] = []): ClusterView {
  const lists = Object.fromEntries(CONVERGENCE_RESOURCES.map((r) => [r, cluster.list(r)]));
  const rules = Object.fromEntries(cluster.nodes.filter((n) => cluster.sim.has(kubeProxyAddress(n))).map((n) => [n, readNodeRules(cluster.sim, n)]));
  return fromResourceLists(lists, { time: cluster.now, liveNodes: cluster.nodes.filter((n) => !down.includes(n)), rules });
}
