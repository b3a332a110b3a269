import type { Address } from '../bus/envelope.ts';
import { ADMISSION_PLUGINS, DEFAULT_ADMISSION, type AdmissionPlugin } from './admission/index.ts';
import { AUTHENTICATORS, AUTHORIZERS, type Authenticator, type Authorizer } from './auth.ts';

/** A plugin by registered name, or a plugin object (tests and experiments). */
export type PluginRef<P> = string | P;

/** How to run a kube-apiserver actor. Every field is optional. */
export interface ApiServerConfig {
  /** The etcd client actor this apiserver talks to. Default: `<address>/etcd` (same host). */
  etcdClient?: Address;
  /** Authentication chain. Default: `['RequestUser', 'Anonymous']`. */
  authenticators?: PluginRef<Authenticator>[];
  /** Authorization chain. Default: `['AlwaysAllow']` (kube-apiserver's --authorization-mode=AlwaysAllow). */
  authorizers?: PluginRef<Authorizer>[];
  /** Admission chain, run in order. Default: NamespaceLifecycle, DefaultTolerationSeconds. */
  admission?: PluginRef<AdmissionPlugin>[];
  /** Watch-cache window: events kept per resource (upstream's default cache size is 100). */
  watchCacheSize?: number;
  /** How often watchers that allow bookmarks get one (upstream: about a minute). */
  bookmarkIntervalMs?: number;
  /** Watches without timeoutSeconds end after a random time in [min, 2·min) (--min-request-timeout=1800). */
  minRequestTimeoutSeconds?: number;
  /** Non-watch requests that take longer are answered 504 (--request-timeout=1m). */
  requestTimeoutMs?: number;
  /** How long a list/watch waits for the cache to reach a requested resourceVersion (upstream: 3 s). */
  cacheWaitMs?: number;
  /** Granularity of the timers: request deadlines, watch timeouts, bookmarks, stall checks. */
  tickMs?: number;
  /** A resource's etcd watch with no message for this long is started again (list, then watch). */
  cacheStallMs?: number;
  /** etcd compaction period (--etcd-compaction-interval=5m); 0 turns compaction off. */
  compactionIntervalMs?: number;
  /** Namespaces created at start-up (the bootstrap controller's system namespaces). */
  systemNamespaces?: string[];
  /** Plural resource names served; default every resource of src/api except events.k8s.io. */
  resources?: string[];
  /** --advertise-address: when set, this apiserver keeps the `kubernetes` Service (src/apiserver/bootstrap). */
  advertiseAddress?: string;
}

export interface ResolvedConfig {
  etcdClient: Address;
  authenticators: Authenticator[];
  authorizers: Authorizer[];
  admission: AdmissionPlugin[];
  watchCacheSize: number;
  bookmarkIntervalMs: number;
  minRequestTimeoutSeconds: number;
  requestTimeoutMs: number;
  cacheWaitMs: number;
  tickMs: number;
  cacheStallMs: number;
  compactionIntervalMs: number;
  systemNamespaces: string[];
  resources?: string[];
  advertiseAddress?: string;
}

export const DEFAULTS = {
  watchCacheSize: 100,
  bookmarkIntervalMs: 60_000,
  minRequestTimeoutSeconds: 1800,
  requestTimeoutMs: 60_000,
  cacheWaitMs: 3_000,
  tickMs: 250,
  cacheStallMs: 15_000,
  compactionIntervalMs: 300_000,
  systemNamespaces: ['default', 'kube-system', 'kube-public', 'kube-node-lease'],
} as const;

function resolvePlugins<P extends { name: string }>(refs: readonly PluginRef<P>[], registry: Readonly<Record<string, P>>, what: string): P[] {
  return refs.map((ref) => {
    if (typeof ref !== 'string') return ref;
    const plugin = registry[ref];
    if (!plugin) throw new Error(`unknown ${what} plugin ${ref}; known: ${Object.keys(registry).join(', ')}`);
    return plugin;
  });
}

export function resolveConfig(address: Address, config: ApiServerConfig | undefined): ResolvedConfig {
  const c = config ?? {};
  return {
    etcdClient: c.etcdClient ?? `${address}/etcd`,
    authenticators: resolvePlugins(c.authenticators ?? ['RequestUser', 'Anonymous'], AUTHENTICATORS, 'authentication'),
    authorizers: resolvePlugins(c.authorizers ?? ['AlwaysAllow'], AUTHORIZERS, 'authorization'),
    admission: resolvePlugins(c.admission ?? DEFAULT_ADMISSION, ADMISSION_PLUGINS, 'admission'),
    watchCacheSize: Math.max(1, c.watchCacheSize ?? DEFAULTS.watchCacheSize),
    bookmarkIntervalMs: c.bookmarkIntervalMs ?? DEFAULTS.bookmarkIntervalMs,
    minRequestTimeoutSeconds: c.minRequestTimeoutSeconds ?? DEFAULTS.minRequestTimeoutSeconds,
    requestTimeoutMs: c.requestTimeoutMs ?? DEFAULTS.requestTimeoutMs,
    cacheWaitMs: c.cacheWaitMs ?? DEFAULTS.cacheWaitMs,
    tickMs: Math.max(1, c.tickMs ?? DEFAULTS.tickMs),
    cacheStallMs: c.cacheStallMs ?? DEFAULTS.cacheStallMs,
    compactionIntervalMs: c.compactionIntervalMs ?? DEFAULTS.compactionIntervalMs,
    systemNamespaces: [...(c.systemNamespaces ?? DEFAULTS.systemNamespaces)],
    resources: c.resources,
    ...(c.advertiseAddress !== undefined ? { advertiseAddress: c.advertiseAddress } : {}),
  };
}
