import { Subject, type Observable } from 'rxjs';
import type { AnyStateMachine, InspectionEvent, Observer } from 'xstate';
import { Bus } from '../bus/bus.ts';
import type { Address } from '../bus/envelope.ts';
import { Network, type LinkModel, type Partition } from '../bus/network.ts';
import { VirtualClock, type SimClock } from '../sim/clock.ts';
import { ClockScheduler } from '../sim/rx-scheduler.ts';
import { IdSource, Random } from '../sim/random.ts';
import { ComponentHost, type HostEvent } from './component-host.ts';

export interface SimulationOptions {
  seed: number | string;
  /** Defaults to a fresh VirtualClock; live mode passes a RealTimeClock. */
  clock?: SimClock;
  /** Default link model for every pair of addresses. */
  link?: Partial<LinkModel>;
  /** Connects every actor to an inspector (e.g. @statelyai/inspect); `filter` picks the addresses. */
  inspect?: { observer: Observer<InspectionEvent> | ((event: InspectionEvent) => void); filter?: (address: Address) => boolean };
}

export class ComponentFailure extends Error {
  constructor(readonly address: Address, override readonly cause: unknown) {
    super(`component ${address} failed: ${cause instanceof Error ? cause.message : String(cause)}`);
    this.name = 'ComponentFailure';
  }
}

/**
 * One run: the clock, the root random source, the network, the bus and the hosted components.
 * Everything a run does is a function of the options' seed, what is added, and what is scheduled.
 */
export class Simulation {
  readonly clock: SimClock;
  readonly scheduler: ClockScheduler;
  readonly random: Random;
  readonly ids: IdSource;
  readonly network: Network;
  readonly bus: Bus;
  private readonly hosts = new Map<Address, ComponentHost>();
  private readonly hostEvents = new Subject<HostEvent>();
  private readonly failures: ComponentFailure[] = [];

  /** Lifecycle events and machine observations, in order. */
  readonly events: Observable<HostEvent> = this.hostEvents.asObservable();

  constructor(private readonly options: SimulationOptions) {
    this.clock = options.clock ?? new VirtualClock();
    this.scheduler = new ClockScheduler(this.clock);
    this.random = Random.root(options.seed);
    this.ids = new IdSource(this.random.stream('ids'));
    this.network = new Network(this.random.stream('network'), options.link);
    this.bus = new Bus(this.clock, this.network);
  }

  get now(): number {
    return this.clock.now();
  }

  /** Hosts a component machine at `address` and starts it (unless `start: false`). */
  add<Config>(address: Address, machine: AnyStateMachine, config: Config, opts: { start?: boolean } = {}): ComponentHost<Config> {
    if (this.hosts.has(address)) throw new Error(`address ${address} is already in use`);
    const inspect = this.options.inspect;
    const host = new ComponentHost<Config>({
      address,
      machine,
      config,
      bus: this.bus,
      clock: this.clock,
      random: this.random.stream(`component:${address}`),
      report: (event) => this.report(event),
      inspect: inspect && (inspect.filter?.(address) ?? true) ? inspect.observer : undefined,
    });
    this.hosts.set(address, host as ComponentHost);
    if (opts.start !== false) host.start();
    return host;
  }

  host(address: Address): ComponentHost {
    const host = this.hosts.get(address);
    if (!host) throw new Error(`no component at ${address}`);
    return host;
  }

  has(address: Address): boolean {
    return this.hosts.has(address);
  }

  addresses(): Address[] {
    return [...this.hosts.keys()];
  }

  crash(address: Address, opts: { loseUnsynced?: boolean } = {}): void {
    this.host(address).crash(opts.loseUnsynced ?? false);
  }

  restart(address: Address): void {
    const host = this.host(address);
    if (host.status === 'running') host.restart();
    else host.start();
  }

  partition(partition: Partition): void {
    this.network.partition(partition);
  }

  heal(id?: string): void {
    this.network.heal(id);
  }

  /** Runs until virtual time `time`. Throws if a component failed. */
  runUntil(time: number): void {
    this.virtualClock().runUntil(time);
    this.throwOnFailure();
  }

  runFor(durationMs: number): void {
    this.runUntil(this.now + durationMs);
  }

  /** Fires one timer; false when nothing is pending. */
  step(): boolean {
    const stepped = this.virtualClock().step();
    this.throwOnFailure();
    return stepped;
  }

  /** Runs until `predicate` holds (checked after every timer) or `timeoutMs` of virtual time pass. */
  runUntilTrue(predicate: () => boolean, timeoutMs: number): boolean {
    const clock = this.virtualClock();
    const deadline = clock.now() + timeoutMs;
    while (!predicate()) {
      const next = clock.nextDeadline();
      if (next === undefined || next > deadline) {
        clock.runUntil(deadline);
        this.throwOnFailure();
        return predicate();
      }
      clock.step();
      this.throwOnFailure();
    }
    return true;
  }

  /** Stops every component (end of a live run). */
  stopAll(): void {
    for (const host of this.hosts.values()) host.crash(false);
  }

  private report(event: HostEvent): void {
    if (event.kind === 'failure') this.failures.push(new ComponentFailure(event.address, event.error));
    if (this.hostEvents.observed) this.hostEvents.next(event);
  }

  private throwOnFailure(): void {
    const failure = this.failures.shift();
    if (failure) throw failure;
  }

  private virtualClock(): VirtualClock {
    if (!(this.clock instanceof VirtualClock)) throw new Error('this run is on a real-time clock; it cannot be stepped');
    return this.clock;
  }
}
