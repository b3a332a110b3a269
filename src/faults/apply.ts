import type { Simulation } from '../host/simulation.ts';
import { sortSchedule, type Fault, type FaultSchedule } from './schedule.ts';

/** A fault as it was applied, for traces. */
export interface AppliedFault {
  at: number;
  fault: Fault;
}

/**
 * Arms every fault of the schedule on the run's clock. Faults that name a component the run does not have
 * are skipped (a shrunk schedule may outlive a removed component); crash/restart of a component already in
 * that state is a no-op, as it would be for an operator.
 */
export function applySchedule(
  sim: Simulation,
  schedule: FaultSchedule,
  onApplied?: (applied: AppliedFault) => void,
  resolve: TargetResolver = (target) => target,
): void {
  // A role (`@leader#3`: role and episode) is resolved when its crash fires and remembered, so the
  // episode's restart hits the same component.
  const resolved = new Map<string, string>();
  const targetOf = (target: string, restart: boolean) => {
    if (!target.startsWith('@')) return target;
    if (restart) return resolved.get(target) ?? target;
    const address = resolve(target.split('#')[0]);
    resolved.set(target, address);
    return address;
  };
  for (const fault of sortSchedule(schedule)) {
    sim.clock.setTimeout(() => {
      const concrete: Fault =
        fault.kind === 'crash' || fault.kind === 'restart'
          ? { ...fault, target: targetOf(fault.target, fault.kind === 'restart') }
          : fault;
      applyFault(sim, concrete);
      onApplied?.({ at: sim.now, fault: concrete });
    }, fault.at - sim.now);
  }
}

/** Maps a role such as `@leader` to the address that holds it now (the address itself otherwise). */
export type TargetResolver = (target: string) => string;

export function applyFault(sim: Simulation, fault: Fault): void {
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
  }
}
