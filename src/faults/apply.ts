import { filter, map, merge, type Observable, type Subscription } from 'rxjs';
import type { HostEvent } from '../host/component-host.ts';
import type { Simulation } from '../host/simulation.ts';
import { sortSchedule, type Fault, type FaultSchedule } from './schedule.ts';

/** A fault as it was applied, for traces. */
export interface AppliedFault {
  at: number;
  fault: Fault;
}

/** Maps a role such as `@leader` to the address that holds it now (the address itself otherwise). */
export type TargetResolver = (target: string) => string;

type ReplaceFault = Extract<Fault, { kind: 'replace' }>;

/** Faults only the run knows how to carry out. A fault without a handler is skipped. */
export interface FaultHandlers {
  /** Replace `fault.target` by a fresh `fault.replacement` (e.g. through a group's membership API). */
  replace?: (fault: ReplaceFault) => void;
}

export interface ScheduleOptions {
  onApplied?: (applied: AppliedFault) => void;
  /** Resolves roles (`@leader`, `@follower-1`…) when a fault fires; the identity by default. */
  resolve?: TargetResolver;
  handlers?: FaultHandlers;
  /**
   * From this time on only faults that end something (restart, heal) still apply, and triggers no
   * longer fire: a run's quiet end stays quiet however late a triggered fault would have come.
   */
  quietFrom?: number;
  /**
   * Observations the run derives itself (e.g. "a leader advanced its commit index", read from member
   * state after each step), which triggers may fire on like the components' own `obs.*`.
   */
  observations?: Observable<Observed>;
}

/** An observation a trigger can fire on: who made it, and its type. */
export interface Observed {
  address: string;
  type: string;
}

/** What a trigger's faults call the component whose observation fired it. */
export const OBSERVED = '@observed';

/**
 * Arms every fault of the schedule on the run's clock. Faults that name a component the run does not have
 * are skipped (a shrunk schedule may outlive a removed component); crash/restart of a component already in
 * that state is a no-op, as it would be for an operator.
 *
 * Targets and partition sides may name roles (`@leader`), resolved when the fault fires; a trigger's
 * faults may name `@observed`. After a `replace`, faults naming the replaced component hit its replacement.
 */
export function applySchedule(
  sim: Simulation,
  schedule: FaultSchedule,
  onAppliedOrOptions?: ((applied: AppliedFault) => void) | ScheduleOptions,
  resolve?: TargetResolver,
): void {
  const options: ScheduleOptions =
    typeof onAppliedOrOptions === 'function' || onAppliedOrOptions === undefined
      ? { onApplied: onAppliedOrOptions, resolve }
      : onAppliedOrOptions;
  new ScheduleRun(sim, options).arm(schedule, sim.now);
}

/** One schedule being applied: the roles it resolved, the replacements it made, its armed triggers. */
class ScheduleRun {
  /** A role tagged with its episode (`@leader#3`) is resolved when its crash fires, so the restart hits the same component. */
  private readonly resolved = new Map<string, string>();
  /** Replaced component → its replacement. */
  private readonly aliases = new Map<string, string>();
  private readonly resolveRole: TargetResolver;
  /** The components' observations, and the run's derived ones. */
  private readonly observations: Observable<Observed>;

  constructor(
    private readonly sim: Simulation,
    private readonly options: ScheduleOptions,
  ) {
    this.resolveRole = options.resolve ?? ((target) => target);
    const own = sim.events.pipe(
      filter((event): event is Extract<HostEvent, { kind: 'observe' }> => event.kind === 'observe'),
      map((event) => ({ address: event.address, type: event.observation.type })),
    );
    this.observations = options.observations ? merge(own, options.observations) : own;
  }

  /** Schedules `schedule`, whose times are offsets from `base` (0 for the top-level schedule). */
  arm(schedule: FaultSchedule, base: number): void {
    for (const fault of sortSchedule(schedule)) {
      this.sim.clock.setTimeout(() => {
        if (fault.kind === 'trigger') this.armTrigger(fault);
        else this.fire(fault);
      }, base + fault.at - this.sim.now);
    }
  }

  /** Past `quietFrom`, nothing new starts. */
  private quiet(): boolean {
    return this.options.quietFrom !== undefined && this.sim.now >= this.options.quietFrom;
  }

  private fire(fault: Exclude<Fault, { kind: 'trigger' }>): void {
    if (this.quiet() && fault.kind !== 'restart' && fault.kind !== 'heal') return;
    const concrete = this.concrete(fault);
    applyFault(this.sim, concrete, this.options.handlers);
    if (concrete.kind === 'replace') this.aliases.set(concrete.target, concrete.replacement);
    this.options.onApplied?.({ at: this.sim.now, fault: concrete });
  }

  private armTrigger(trigger: Extract<Fault, { kind: 'trigger' }>): void {
    if (this.quiet()) return;
    let subscription: Subscription | undefined;
    let expiry: ReturnType<Simulation['clock']['setTimeout']> | undefined;
    subscription = this.observations.subscribe((event) => {
      if (event.type !== trigger.on || !subscription) return;
      subscription.unsubscribe();
      subscription = undefined;
      this.sim.clock.clearTimeout(expiry);
      if (this.quiet()) return;
      // The observation arrives while its component is mid-step: the faults start from the next timer.
      const faults = trigger.faults.map((f) => replaceTarget(f, OBSERVED, event.address));
      this.options.onApplied?.({ at: this.sim.now, fault: trigger });
      this.arm(faults, this.sim.now);
    });
    if (trigger.windowMs !== undefined) {
      expiry = this.sim.clock.setTimeout(() => {
        subscription?.unsubscribe();
        subscription = undefined;
      }, trigger.windowMs);
    }
  }

  /** The fault with roles resolved and replaced components mapped to their replacements. */
  private concrete(fault: Exclude<Fault, { kind: 'trigger' }>): Exclude<Fault, { kind: 'trigger' }> {
    switch (fault.kind) {
      case 'crash':
      case 'restart':
        return { ...fault, target: this.alias(this.roleTarget(fault.target, fault.kind === 'restart')) };
      case 'replace':
        return { ...fault, target: this.alias(this.roleTarget(fault.target, false)) };
      case 'partition': {
        // Roles are resolved independently: a component named on both sides stays on the first.
        const from = this.side(fault.from);
        return { ...fault, from, to: this.side(fault.to).filter((address) => !from.includes(address)) };
      }
      case 'degrade':
        return { ...fault, from: this.endpoint(fault.from), to: this.endpoint(fault.to) };
      case 'heal':
        return fault;
    }
  }

  private roleTarget(target: string, restart: boolean): string {
    if (!target.startsWith('@')) return target;
    if (restart) return this.resolved.get(target) ?? target;
    const address = this.resolveRole(target.split('#')[0]);
    this.resolved.set(target, address);
    return address;
  }

  private alias(address: string): string {
    for (let seen = 0; this.aliases.has(address) && seen < 100; seen++) address = this.aliases.get(address)!;
    return address;
  }

  /** A partition side: roles resolved (dropped when nobody holds them), no address twice. */
  private side(entries: readonly string[]): string[] {
    const out: string[] = [];
    for (const entry of entries) {
      const address = this.alias(entry.startsWith('@') ? this.resolveRole(entry.split('#')[0]) : entry);
      if (!address.startsWith('@') && !out.includes(address)) out.push(address);
    }
    return out;
  }

  private endpoint(entry: string): string {
    return entry === '*' ? entry : this.alias(entry.startsWith('@') ? this.resolveRole(entry.split('#')[0]) : entry);
  }
}

/** The fault with `role` replaced by `address` wherever a target or partition side names it. */
function replaceTarget(fault: Fault, role: string, address: string): Fault {
  const swap = (entry: string) => (entry === role ? address : entry);
  switch (fault.kind) {
    case 'crash':
    case 'restart':
    case 'replace':
      return { ...fault, target: swap(fault.target) };
    case 'partition':
      return { ...fault, from: fault.from.map(swap), to: fault.to.map(swap) };
    case 'degrade':
      return { ...fault, from: swap(fault.from), to: swap(fault.to) };
    case 'trigger':
      // A nested trigger's `@observed` is the component of its own observation.
      return fault;
    case 'heal':
      return fault;
  }
}

export function applyFault(sim: Simulation, fault: Fault, handlers: FaultHandlers = {}): void {
  switch (fault.kind) {
    case 'crash':
      if (sim.has(fault.target)) sim.crash(fault.target, { loseUnsynced: fault.loseUnsynced ?? false });
      return;
    case 'restart':
      if (sim.has(fault.target) && sim.host(fault.target).status !== 'running') sim.restart(fault.target);
      return;
    case 'partition':
      sim.partition({ id: fault.id, from: fault.from, to: fault.to, oneWay: fault.oneWay ?? false });
      return;
    case 'heal':
      sim.heal(fault.id);
      return;
    case 'degrade':
      sim.network.addLayer(fault.id, fault.from, fault.to, fault.link);
      sim.clock.setTimeout(() => sim.network.removeLayer(fault.id), fault.durationMs);
      return;
    case 'replace':
      if (sim.has(fault.target)) handlers.replace?.(fault);
      return;
    case 'trigger':
      // A trigger needs the run's observations: only `applySchedule` can arm one.
      return;
  }
}
