// The client library: informers (reflector + cache/indexer + resync) and work queues as pure data and
// functions, for embedding in any component machine (controllers, scheduler, kubelets). See
// docs/controllers.md for how a machine hosts them.
export * from './keys.ts';
export * from './resource-version.ts';
export * from './api-status.ts';
export * from './requests.ts';
export * from './store.ts';
export * from './indexers.ts';
export * from './informer.ts';
export * from './connection-health.ts';
export * from './lister.ts';
export * from './rate-limiter.ts';
export * from './workqueue.ts';
export * from './leader-election.ts';
