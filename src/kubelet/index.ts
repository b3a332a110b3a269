// The pure core of the kubelet and its container runtime: plain data in, plain data out, explicit `now`.
export * from './format.ts';
export * from './backoff.ts';
export * from './workload.ts';
export * from './registry.ts';
export * from './runtime.ts';
export * from './ipam.ts';
export * from './events.ts';
export * from './probes.ts';
export * from './pod-status.ts';
export * from './node-status.ts';
export * from './kubelet-state.ts';
export * from './start-container.ts';
export * from './sync.ts';
export * from './cri.ts';
export * from './logs.ts';
export * from './log-request.ts';
export * from './log-protocol.ts';
