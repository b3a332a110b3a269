export * from './normalize.ts';
export * from './taint-toleration.ts';
export * from './node-affinity.ts';
export * from './node-resources-fit.ts';
export * from './balanced-allocation.ts';
export * from './image-locality.ts';
export * from './inter-pod-affinity.ts';
export * from './pod-topology-spread.ts';
