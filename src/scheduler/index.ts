// The pure core of kube-scheduler: snapshot, plugins, one scheduling cycle, messages, queue and
// assume cache. No clocks, no randomness of its own, no I/O.
export * from './types.ts';
export * from './resources.ts';
export * from './pod-info.ts';
export * from './taints.ts';
export * from './node-selector.ts';
export * from './snapshot.ts';
export * from './framework.ts';
export * from './preemption.ts';
export * from './messages.ts';
export * from './events.ts';
export * from './queue.ts';
export * from './assume-cache.ts';
export { DEFAULT_FILTER_PLUGINS, DEFAULT_SCORE_PLUGINS, type WeightedScorePlugin } from './plugins/registry.ts';
export * as filters from './plugins/filters/index.ts';
export * as scores from './plugins/scores/index.ts';
