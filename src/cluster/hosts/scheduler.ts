// kube-scheduler on the bus (by convention at `scheduler-0`), talking to one kube-apiserver.
import { schedulerMachine } from '../../../machines/scheduler/scheduler.machine.ts';
import type { SchedulerConfig } from '../../../machines/scheduler/config.ts';
import type { Address } from '../../bus/envelope.ts';
import type { ComponentHost } from '../../host/component-host.ts';
import type { Simulation } from '../../host/simulation.ts';

export type { SchedulerConfig };

/** Hosts a kube-scheduler at `address` (e.g. "scheduler-0") that talks to `options.apiserver`. */
export function hostScheduler(
  sim: Simulation,
  address: Address,
  options: { apiserver: Address; config?: Partial<SchedulerConfig> },
): ComponentHost<SchedulerConfig> {
  return sim.add<SchedulerConfig>(address, schedulerMachine, { ...options.config, apiserver: options.apiserver });
}
