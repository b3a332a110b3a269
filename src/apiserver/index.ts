// The kube-apiserver model: the API-on-the-bus contract, configuration, hosting, and the pure pieces
// the machine (machines/apiserver) is built from.
export * from './protocol.ts';
export type { ApiServerConfig, PluginRef, ResolvedConfig } from './config.ts';
export { DEFAULTS as APISERVER_DEFAULTS, resolveConfig } from './config.ts';
export { hostApiServer, type HostedApiServer } from './host.ts';
export { ANONYMOUS, AUTHENTICATORS, AUTHORIZERS, type Authenticator, type Authorizer, type AuthzAttributes, type AuthzDecision } from './auth.ts';
export { ADMISSION_PLUGINS, DEFAULT_ADMISSION, IMMORTAL_NAMESPACES, type AdmissionAttributes, type AdmissionLookups, type AdmissionPlugin, type AdmitResult } from './admission/index.ts';
export { applyJsonPatch, applyMergePatch, applyStrategicMergePatch } from './patch/index.ts';
export { decodeContinue, encodeContinue } from './continue-token.ts';
export { WatchCache, type CacheEvent } from './watch-cache/cache.ts';
export { INITIAL_EVENTS_END_ANNOTATION } from './watch-cache/watchers.ts';
export { COMPACT_REV_KEY } from './flows/compaction.ts';
export { apiserverMachine } from '../../machines/apiserver/apiserver.machine.ts';
