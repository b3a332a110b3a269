import { createWebSocketInspector } from '@statelyai/inspect';
import type { InspectionEvent } from 'xstate';
import type { SimulationOptions } from '../../host/simulation.ts';
import { ActorNames } from './actor-names.ts';
import { inspectFilter } from './address-filter.ts';
import { startBridgeServer, type BridgeServer } from './bridge-server.ts';

/** The inspection events @statelyai/inspect forwards; the others (microsteps, actions) it drops. */
const FORWARDED: ReadonlySet<string> = new Set(['@xstate.actor', '@xstate.event', '@xstate.snapshot']);

export interface LiveInspection {
  /** Pass as `new Simulation({ inspect })` (or a profile's `run(…, { inspect })`). */
  readonly inspect: NonNullable<SimulationOptions['inspect']>;
  readonly pageUrl: string;
  /** Resolves once the bridge holds every event the run produced (or after `timeoutMs`). */
  drain(timeoutMs?: number): Promise<boolean>;
  close(): Promise<void>;
}

/**
 * Live inspection of a run with the Stately inspector: a bridge on 127.0.0.1:`port`, and
 * @statelyai/inspect's WebSocket inspector connected to it. `filter` (`etcd-2`, `node-*`, a comma list)
 * picks the components whose actors are inspected; the others run uninspected.
 */
export async function startLiveInspection(options: { port: number; filter?: string }): Promise<LiveInspection> {
  const bridge: BridgeServer = await startBridgeServer(options.port);
  const names = new ActorNames();
  const inspector = createWebSocketInspector({
    url: bridge.url,
    // A virtual-time run finishes before the socket opens: keep every event until it does.
    maxDeferredEvents: Number.POSITIVE_INFINITY,
    serialize: names.rename,
  });
  let forwarded = 0;
  const observer = (event: InspectionEvent): void => {
    names.observe(event);
    if (FORWARDED.has(event.type)) forwarded++;
    inspector.inspect.next?.(event);
  };
  return {
    inspect: { observer, filter: inspectFilter(options.filter) },
    pageUrl: bridge.pageUrl,
    async drain(timeoutMs = 30_000) {
      const deadline = Date.now() + timeoutMs;
      while (bridge.received() < forwarded) {
        if (Date.now() > deadline) return false;
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
      return true;
    },
    async close() {
      inspector.stop();
      await bridge.close();
    },
  };
}

/** Waits for Ctrl-C (SIGINT), so a browser can still open the page after the run is over. */
export function untilInterrupted(): Promise<void> {
  return new Promise((resolve) => process.once('SIGINT', () => resolve()));
}
