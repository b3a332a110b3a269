// The service dataplane: kernel rules as data (written by kube-proxy), a netfilter walk and IPVS
// scheduling over them, cluster DNS (CoreDNS), and the request primitive that puts them together.
export * from './kernel.ts';
export * from './iptables.ts';
export * from './ipvs.ts';
export * from './dns.ts';
export * from './coredns-host.ts';
export * from './request.ts';
export * from './rule-endpoints.ts';
