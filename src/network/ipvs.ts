// IPVS as the kernel runs it for a new connection: the packet's destination is local (bound to
// kube-ipvs0, or the node IP for a node port), a virtual server matches (address, port, protocol), and
// its scheduler picks a real server. `rr` walks the real servers in turn from the one used last (the
// kernel keeps that cursor per virtual server); `-p timeout` (ClientIP affinity) sends a client back to
// the real server it had while its persistence template lives. No real server: port unreachable.
import type { IpvsTables, IpvsVirtualServer } from './kernel.ts';
import type { Packet } from './iptables.ts';

export interface IpvsState {
  /** virtual server → the real server ("ip:port") the rr scheduler chose last. */
  readonly cursors: Map<string, string>;
  /** virtual server → client IP → { real server, when }. */
  readonly persistence: Map<string, Map<string, { server: string; at: number }>>;
}

export type IpvsVerdict =
  | { kind: 'forward'; to: string; virtualServer: IpvsVirtualServer }
  | { kind: 'unreachable'; virtualServer: IpvsVirtualServer }
  | { kind: 'none' };

export function newIpvsState(): IpvsState {
  return { cursors: new Map(), persistence: new Map() };
}

const vsKey = (vs: IpvsVirtualServer) => `${vs.protocol}/${vs.address}:${vs.port}`;

export function findVirtualServer(ipvs: IpvsTables, packet: Packet): IpvsVirtualServer | undefined {
  return ipvs.virtualServers.find((vs) => vs.address === packet.dst && vs.port === packet.dport && vs.protocol === packet.protocol);
}

export function scheduleIpvs(ipvs: IpvsTables, packet: Packet, state: IpvsState, now: number): IpvsVerdict {
  const vs = findVirtualServer(ipvs, packet);
  if (!vs) return { kind: 'none' };
  const servers = vs.realServers.filter((rs) => rs.weight > 0).map((rs) => `${rs.address}:${rs.port}`);
  if (servers.length === 0) return { kind: 'unreachable', virtualServer: vs };
  const key = vsKey(vs);
  if (vs.persistentTimeoutSeconds !== undefined) {
    const held = state.persistence.get(key)?.get(packet.src);
    if (held && now - held.at <= vs.persistentTimeoutSeconds * 1000 && servers.includes(held.server)) {
      held.at = now;
      return { kind: 'forward', to: held.server, virtualServer: vs };
    }
  }
  const last = state.cursors.get(key);
  const at = last === undefined ? -1 : servers.indexOf(last);
  const chosen = servers[(at + 1) % servers.length];
  state.cursors.set(key, chosen);
  if (vs.persistentTimeoutSeconds !== undefined) {
    const clients = state.persistence.get(key) ?? new Map<string, { server: string; at: number }>();
    clients.set(packet.src, { server: chosen, at: now });
    state.persistence.set(key, clients);
  }
  return { kind: 'forward', to: chosen, virtualServer: vs };
}
