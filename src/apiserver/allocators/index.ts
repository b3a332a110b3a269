// Service ClusterIP and NodePort allocation (the Service REST storage's allocators), derived from etcd.
export * from './ipv4.ts';
export * from './ranges.ts';
export * from './pick.ts';
export * from './service-allocation.ts';
export * from './flow.ts';
