// A stalled watch stream: the watch events of one kind (say Pods) the apiservers send to some components
// are held back, then sent in order when the stall ends, while every other stream and every response flows.
// Each watch is its own HTTP/2 stream: one out of flow-control window (a client slow to read a big stream,
// a proxy buffering it) delays only its own events. A component then sees the ReplicaSet it just scaled but
// not the pods it created for it — Sieve's stale state, aimed at one controller's view. Nothing is lost, so
// sequence numbers stay intact and no relist happens: the events arrive late, in a burst.
//
// The stalls hold messages through the bus's `holdSends` hook while they last (removed when the last stall
// ends; runs without a stall never pay for it).
import type { Bus } from '../../bus/bus.ts';
import type { AppliedFault } from '../../faults/apply.ts';
import type { Simulation } from '../../host/simulation.ts';

interface Held {
  from: string;
  to: string;
  message: { type: string };
}

interface Stall {
  /** Receivers whose streams stall. */
  readonly to: ReadonlySet<string>;
  /** The object kind whose watch streams stall ("Pod"). */
  readonly kind: string;
  /** requestIds of the streams found to carry `kind` (a stream's later messages are held too, keeping its order). */
  readonly streams: Set<string>;
  readonly held: Held[];
}

interface WatchMessage {
  type: 'api.watch';
  requestId: string;
  events?: { object?: { kind?: string } }[];
}

const active = new WeakMap<Bus, Set<Stall>>();

export interface StallOptions {
  to: Iterable<string>;
  kind: string;
  durationMs: number;
  onApplied?: (applied: AppliedFault) => void;
}

/** Stalls, from now for `durationMs`, the `kind` watch streams to `to`. */
export function stallWatches(sim: Simulation, options: StallOptions): void {
  const bus = sim.bus;
  let stalls = active.get(bus);
  if (!stalls) {
    const set = (stalls = new Set<Stall>());
    active.set(bus, set);
    bus.holdSends((from, to, message) => {
      if (message.type !== 'api.watch') return false;
      for (const stall of set) if (holds(stall, to, message as unknown as WatchMessage)) return (stall.held.push({ from, to, message }), true);
      return false;
    });
  }
  const stall: Stall = { to: new Set(options.to), kind: options.kind, streams: new Set(), held: [] };
  stalls.add(stall);
  const id = `stall:${options.kind}`;
  // Recorded as a link degradation of its span (the trace has no kind for a stream stall).
  options.onApplied?.({ at: sim.now, fault: { at: sim.now, kind: 'degrade', id, from: '*', to: [...stall.to].join(','), link: {}, durationMs: options.durationMs } });
  sim.clock.setTimeout(() => {
    const set = active.get(bus);
    set?.delete(stall);
    if (set && set.size === 0) {
      active.delete(bus);
      bus.holdSends(null);
    }
    // In order, through the network model as they go now (another stall may hold them again).
    for (const { from, to, message } of stall.held) bus.send(from, to, message);
  }, options.durationMs);
}

function holds(stall: Stall, to: string, message: WatchMessage): boolean {
  if (!stall.to.has(to)) return false;
  if (stall.streams.has(message.requestId)) return true;
  if (!message.events?.some((e) => e.object?.kind === stall.kind)) return false;
  stall.streams.add(message.requestId);
  return true;
}
