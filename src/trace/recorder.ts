import type { Subscription } from 'rxjs';
import type { BusEvent } from '../bus/envelope.ts';
import type { AppliedFault } from '../faults/apply.ts';
import type { HostEvent } from '../host/component-host.ts';
import type { Simulation } from '../host/simulation.ts';
import { digestOf } from './digest.ts';

/**
 * One line of a JSONL trace. `t` is virtual ms; `k` the kind; bus lines carry the envelope id, endpoints,
 * message type and a digest of the message; host lines the address; fault lines the fault.
 */
export interface TraceLine {
  t: number;
  k: 'send' | 'deliver' | 'drop' | 'start' | 'crash' | 'failure' | 'observe' | 'fault';
  id?: number;
  copy?: number;
  from?: string;
  to?: string;
  type?: string;
  d?: string;
  reason?: string;
  address?: string;
  incarnation?: number;
  lost?: number;
  fault?: unknown;
  payload?: unknown;
}

export interface RecorderOptions {
  /** Also record full message payloads (large); by default only their digests. */
  payloads?: boolean;
  /** Receives each line as it is recorded (e.g. a file stream); lines are also kept unless `keep: false`. */
  sink?: (line: string) => void;
  keep?: boolean;
}

/** Records a run's bus traffic, host lifecycle, observations and applied faults as JSONL. */
export class TraceRecorder {
  private readonly kept: string[] = [];
  private readonly subscriptions: Subscription[] = [];

  constructor(sim: Simulation, private readonly options: RecorderOptions = {}) {
    this.subscriptions.push(sim.bus.tap.subscribe((event) => this.onBus(event)));
    this.subscriptions.push(sim.events.subscribe((event) => this.onHost(event)));
  }

  /** Pass to `applySchedule` so applied faults land in the trace. */
  readonly onFault = (applied: AppliedFault): void => {
    this.write({ t: applied.at, k: 'fault', fault: applied.fault });
  };

  get lines(): readonly string[] {
    return this.kept;
  }

  /** The whole trace as JSONL text. */
  text(): string {
    return this.kept.length === 0 ? '' : `${this.kept.join('\n')}\n`;
  }

  stop(): void {
    for (const subscription of this.subscriptions) subscription.unsubscribe();
  }

  private onBus(event: BusEvent): void {
    const { envelope } = event;
    const line: TraceLine = {
      t: event.at, k: event.kind, id: envelope.id, from: envelope.from, to: envelope.to, type: envelope.type,
      d: digestOf(envelope.message),
    };
    if (envelope.copy > 0) line.copy = envelope.copy;
    if (event.kind === 'drop') line.reason = event.reason;
    if (this.options.payloads && event.kind === 'send') line.payload = envelope.message;
    this.write(line);
  }

  private onHost(event: HostEvent): void {
    switch (event.kind) {
      case 'start':
        return this.write({ t: event.at, k: 'start', address: event.address, incarnation: event.incarnation });
      case 'crash':
        return this.write({
          t: event.at, k: 'crash', address: event.address, incarnation: event.incarnation, lost: event.lostWrites,
        });
      case 'failure':
        return this.write({ t: event.at, k: 'failure', address: event.address, reason: String(event.error) });
      case 'observe':
        return this.write({
          t: event.at, k: 'observe', address: event.address, type: event.observation.type, d: digestOf(event.observation),
        });
    }
  }

  private write(line: TraceLine): void {
    const text = JSON.stringify(line);
    if (this.options.keep !== false) this.kept.push(text);
    this.options.sink?.(text);
  }
}
