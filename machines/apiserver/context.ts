import { resolveConfig, type ApiServerConfig } from '../../src/apiserver/config.ts';
import type { FlowEnv } from '../../src/apiserver/flows/index.ts';
import { servedResources } from '../../src/apiserver/resources.ts';
import { uuidV4 } from '../../src/apiserver/uuid.ts';
import type { HostedInput } from '../../src/host/contract.ts';
import { rngNext } from '../../src/sim/random.ts';
import type { ApiServerContext } from './types.ts';

export function createContext(input: HostedInput<ApiServerConfig>): ApiServerContext {
  const config = resolveConfig(input.address, input.config);
  return {
    self: input.address,
    incarnation: input.incarnation,
    config,
    served: servedResources(config.resources),
    now: input.now,
    rng: input.rng,
    feeds: new Map(),
    feedByWatch: new Map(),
    feedByListOp: new Map(),
    watchers: new Map(),
    inflight: new Map(),
    ops: new Map(),
    logStreams: new Map(),
    answered: new Map(),
    compaction: { version: 0, revision: 0, nextAt: input.now() + config.compactionIntervalMs },
    cachesReady: false,
    bootstrapped: false,
    sequence: 0,
    outbox: [],
  };
}

/**
 * Ids unique across incarnations, so late answers addressed to a previous life are recognised, and across
 * apiservers: etcd members de-duplicate proposals by id, so two apiservers must never send the same one.
 */
export function nextId(ctx: ApiServerContext, kind: string): string {
  return `${ctx.self}/i${ctx.incarnation}.${kind}${ctx.sequence++}`;
}

/** What flows may read and draw, bound to this context. */
export function flowEnv(ctx: ApiServerContext): FlowEnv {
  return {
    config: ctx.config,
    served: ctx.served,
    now: () => ctx.now(),
    random: () => {
      const [u, next] = rngNext(ctx.rng);
      ctx.rng = next;
      return u;
    },
    uuid: () => {
      const [uuid, next] = uuidV4(ctx.rng);
      ctx.rng = next;
      return uuid;
    },
    cache: (prefix) => ctx.feeds.get(prefix)?.cache,
    get compaction() {
      return { version: ctx.compaction.version, revision: ctx.compaction.revision };
    },
    set compaction(state) {
      ctx.compaction.version = state.version;
      ctx.compaction.revision = state.revision;
    },
  };
}

export function send(ctx: ApiServerContext, to: string, message: { type: string; [field: string]: unknown }): void {
  ctx.outbox.push({ type: 'net.send', to, message });
}

export function observe(ctx: ApiServerContext, observation: { type: `obs.${string}`; [field: string]: unknown }): void {
  ctx.outbox.push(observation);
}
