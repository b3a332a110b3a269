export * from './node-unschedulable.ts';
export * from './node-name.ts';
export * from './taint-toleration.ts';
export * from './node-affinity.ts';
export * from './node-ports.ts';
export * from './node-resources-fit.ts';
export * from './pod-topology-spread.ts';
export * from './inter-pod-affinity.ts';
