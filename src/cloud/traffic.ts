// Traffic to a load balancer's external IP: the cloud picks a backend node (round robin over its backends)
// and forwards the connection to that node's IP on the Service's node port, where the node's kube-proxy
// rules (KUBE-NODEPORTS) send it to an endpoint — the path a `type: LoadBalancer` Service takes without
// direct-to-pod load balancing.
import type { Simulation } from '../host/simulation.ts';
import type { RequestOutcome, ServiceTraffic } from '../network/request.ts';
import type { LoadBalancer } from './cloud.ts';
import { CLOUD_PROVIDER_ADDRESS } from './protocol.ts';

/** The load balancers the cloud has now (empty when its API is down or not hosted). */
export function cloudLoadBalancers(sim: Simulation, address = CLOUD_PROVIDER_ADDRESS): LoadBalancer[] {
  if (!sim.has(address)) return [];
  const context = sim.host(address).snapshot()?.context as { cloud?: { balancers: Record<string, LoadBalancer> } } | undefined;
  return Object.values(context?.cloud?.balancers ?? {});
}

export type LoadBalancerOutcome = RequestOutcome & { readonly backend?: string };

export class LoadBalancerTraffic {
  private next = 0;

  constructor(private readonly sim: Simulation, private readonly traffic: ServiceTraffic, private readonly cloud = CLOUD_PROVIDER_ADDRESS) {}

  /** A new connection from outside the cluster to "ip:port". */
  request(to: string): LoadBalancerOutcome {
    const colon = to.lastIndexOf(':');
    const ip = to.slice(0, colon);
    const port = Number(to.slice(colon + 1));
    const lb = cloudLoadBalancers(this.sim, this.cloud).find((b) => b.ip === ip && b.readyAt <= this.sim.now);
    const listener = lb?.ports.find((p) => p.port === port);
    if (!lb || !listener) {
      return { ok: false, error: 'i/o timeout', reason: lb ? `load balancer ${ip} has no listener on ${port}` : `no load balancer answers at ${ip}`, message: `dial tcp ${to}: i/o timeout`, address: to };
    }
    if (lb.nodes.length === 0) return { ok: false, error: 'connection refused', reason: `load balancer ${ip} has no backends`, message: `dial tcp ${to}: connect: connection refused`, address: to };
    const backend = lb.nodes[this.next++ % lb.nodes.length];
    const outcome = this.traffic.request({ from: { node: backend.name }, to: `${backend.address}:${listener.nodePort}`, protocol: listener.protocol as 'TCP' });
    return { ...outcome, backend: backend.name };
  }
}
