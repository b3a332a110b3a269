import type { Address } from '../bus/envelope.ts';
import type { RngState } from '../sim/random.ts';

/**
 * The contract between a component machine (machines/) and its host (src/host/).
 *
 * A machine never touches the bus, the clock or the disk. It receives:
 *  - `input: HostedInput<Config>` when (re)started: its address, incarnation, a seed for its own pure
 *    generator (`rngNext` in src/sim/random.ts), the synced contents of its disk, and `now()` (virtual time;
 *    read it only inside actions, it is the one clock of the run);
 *  - every message the bus delivers to its address, as an event `{ type, from, ...fields }`.
 * It acts on the world only by emitting (XState's `emit` action):
 *  - `net.send`   — put `message` on the bus to `to`;
 *  - `disk.write` / `disk.delete` — change its disk (volatile until synced);
 *  - `disk.sync`  — make every earlier write durable (fsync);
 *  - anything else (`type` starting with `obs.`) is an observation for checkers and traces.
 * Timers are XState `after` delays, which run on the clock given to `createActor`.
 */
export interface HostedInput<Config = unknown> {
  address: Address;
  /** 0 on first start, +1 on every restart. */
  incarnation: number;
  rng: RngState;
  disk: ReadonlyMap<string, unknown>;
  now: () => number;
  config: Config;
}

export interface NetSend<M extends { type: string } = { type: string; [field: string]: unknown }> {
  type: 'net.send';
  to: Address;
  message: M;
}

export interface DiskWrite {
  type: 'disk.write';
  key: string;
  value: unknown;
}

export interface DiskDelete {
  type: 'disk.delete';
  key: string;
}

export interface DiskSync {
  type: 'disk.sync';
}

/** An observation a machine reports for checkers and traces; it never affects the run. */
export interface Observation {
  type: `obs.${string}`;
  [field: string]: unknown;
}

export type HostedEmitted = NetSend | DiskWrite | DiskDelete | DiskSync | Observation;

/** Every message a machine receives carries its sender. */
export type Delivered<M extends { type: string }> = M & { from: Address };

/**
 * Health probes: any component can send `{ type: 'health.probe', id }` to any address. The host answers
 * `{ type: 'health.ok', id, from, incarnation }` while that process runs, without involving its machine
 * (as a process's /healthz or a load balancer's TCP check); a crashed process is silent, so a prober
 * decides by a timeout. Machines never see `health.probe`.
 */
export const HEALTH_PROBE = 'health.probe';
export const HEALTH_OK = 'health.ok';

export interface HealthProbe {
  type: typeof HEALTH_PROBE;
  id: string;
}

export interface HealthOk {
  type: typeof HEALTH_OK;
  id: string;
  from: Address;
  incarnation: number;
}
