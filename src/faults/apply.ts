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
export function applySchedule(sim: Simulation, schedule: FaultSchedule, onApplied?: (applied: AppliedFault) => void): void {
  for (const fault of sortSchedule(schedule)) {
    sim.clock.setTimeout(() => {
      applyFault(sim, fault);
      onApplied?.({ at: sim.now, fault });
    }, fault.at - sim.now);
  }
}

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
