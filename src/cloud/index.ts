// The simulated cloud: its load balancer API (protocol.ts), the pure model behind it (cloud.ts), and how
// traffic to a load balancer's IP reaches a Service (traffic.ts).
export * from './protocol.ts';
export * from './cloud.ts';
export * from './traffic.ts';
