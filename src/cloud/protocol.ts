// The simulated cloud's API on the bus (what cloudprovider.LoadBalancer offers the service controller):
// the cloud-controller-manager sends `cloud.request`, the cloud answers `cloud.response` — when the work is
// done, so creating a load balancer answers only after its provisioning latency, as the blocking call in
// upstream's EnsureLoadBalancer does.

/** Where the cloud's API listens. */
export const CLOUD_PROVIDER_ADDRESS = 'cloud-provider';

export interface LoadBalancerPort {
  readonly name?: string;
  readonly protocol: string;
  /** The port the load balancer listens on (the Service port). */
  readonly port: number;
  /** Where it forwards, on every backend node. */
  readonly nodePort: number;
}

/** A backend: a node and the address the load balancer reaches it at (its InternalIP). */
export interface LoadBalancerNode {
  readonly name: string;
  readonly address: string;
}

export type CloudCall =
  | { readonly op: 'GetLoadBalancer'; readonly name: string }
  | { readonly op: 'EnsureLoadBalancer'; readonly name: string; readonly service: string; readonly ports: readonly LoadBalancerPort[]; readonly nodes: readonly LoadBalancerNode[] }
  | { readonly op: 'UpdateLoadBalancer'; readonly name: string; readonly nodes: readonly LoadBalancerNode[] }
  | { readonly op: 'EnsureLoadBalancerDeleted'; readonly name: string };

export interface CloudRequestMessage {
  type: 'cloud.request';
  requestId: string;
  call: CloudCall;
}

/** What a load balancer looks like from outside: the Service's status.loadBalancer.ingress entry. */
export interface LoadBalancerIngress {
  readonly ip: string;
}

export interface CloudResponseMessage {
  type: 'cloud.response';
  requestId: string;
  ok: boolean;
  /** EnsureLoadBalancer / GetLoadBalancer: where it answers (absent: none exists). */
  ingress?: LoadBalancerIngress;
  error?: string;
}
