// NodePorts: a requested host port conflicts with one in use on the node for the same protocol
// when either side binds 0.0.0.0 or both bind the same IP (HostPortInfo.CheckConflict).
import type { Pod } from 'kubernetes-types/core/v1.js';
import type { HostPort, NodeInfo } from '../../snapshot.ts';
import { PASS, fail, type FilterPlugin, type FilterResult } from '../../types.ts';

export const NODE_PORTS = 'NodePorts';
export const ERR_REASON_NODE_PORTS = "node(s) didn't have free ports for the requested pod ports";

const ANY_IP = '0.0.0.0';

/** getContainerPorts: the host ports the pod's app containers ask for, defaulted. */
export function wantedHostPorts(pod: Pod): HostPort[] {
  const out: HostPort[] = [];
  for (const c of pod.spec?.containers ?? []) {
    for (const p of c.ports ?? []) {
      if ((p.hostPort ?? 0) > 0) out.push({ ip: p.hostIP || ANY_IP, protocol: p.protocol || 'TCP', port: p.hostPort! });
    }
  }
  return out;
}

export function hostPortConflicts(used: readonly HostPort[], want: HostPort): boolean {
  return used.some(
    (u) => u.port === want.port && u.protocol === want.protocol && (want.ip === ANY_IP || u.ip === ANY_IP || u.ip === want.ip),
  );
}

export function nodePortsFit(wanted: readonly HostPort[], node: NodeInfo): boolean {
  return !wanted.some((w) => hostPortConflicts(node.usedPorts, w));
}

export function nodePortsFilter(pod: Pod, node: NodeInfo): FilterResult {
  return nodePortsFit(wantedHostPorts(pod), node) ? PASS : fail(ERR_REASON_NODE_PORTS);
}

export const nodePortsPlugin: FilterPlugin = {
  name: NODE_PORTS,
  preFilter: (pod) => {
    const wanted = wantedHostPorts(pod);
    if (wanted.length === 0) return { kind: 'skip' };
    return { kind: 'filter', filter: (node) => (nodePortsFit(wanted, node) ? PASS : fail(ERR_REASON_NODE_PORTS)) };
  },
};
