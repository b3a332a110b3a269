import { enqueueActions, setup } from 'xstate';
import type { HostedEmitted, HostedInput } from '../../src/host/contract.ts';
import type { LoadBalancerConfig } from './config.ts';
import { forwardAnswer, forwardCancel, forwardRequest, newBalancer, onHealthOk, runHealthChecks, type BalancerState } from './balancer.ts';

/**
 * The apiserver load balancer of an HA control plane (HAProxy in TCP mode, as kubeadm's HA guide sets
 * it up): kubelets and kube-proxies talk to its address; each client sticks to one healthy kube-apiserver
 * (round robin on first contact). Backends are health-checked with the host-level `health.probe` every
 * `checkIntervalMs` (2 s): down after `fall` (3) misses, up after `rise` (2) answers. When a backend goes
 * down its clients are reset: their open watches end (the informers watch again, through a healthy one).
 *
 * One state: messages are forwarded without leaving it (so the check timer keeps its period), and the
 * check timer re-enters it. The context's `balancer` is mutated in place (see balancer.ts).
 */
export interface LoadBalancerContext {
  balancer: BalancerState;
}

export type LoadBalancerEvent = { type: string; from: string; requestId?: string; [field: string]: unknown };

type Enqueue = Parameters<Parameters<typeof enqueueActions<LoadBalancerContext, LoadBalancerEvent, undefined, LoadBalancerEvent, never, never, never, never, HostedEmitted>>[0]>[0]['enqueue'];

function emitAll(enqueue: Enqueue, emits: readonly HostedEmitted[]): void {
  for (const emitted of emits) enqueue.emit(emitted);
}

export const loadBalancerMachine = setup({
  types: {
    context: {} as LoadBalancerContext,
    events: {} as LoadBalancerEvent,
    input: {} as HostedInput<LoadBalancerConfig>,
    emitted: {} as HostedEmitted,
  },
  actions: {
    forwardRequest: enqueueActions(({ context, event, enqueue }) => emitAll(enqueue, forwardRequest(context.balancer, event))),
    forwardCancel: enqueueActions(({ context, event, enqueue }) => emitAll(enqueue, forwardCancel(context.balancer, event))),
    forwardAnswer: enqueueActions(({ context, event, enqueue }) => emitAll(enqueue, forwardAnswer(context.balancer, event))),
    recordHealthOk: enqueueActions(({ context, event, enqueue }) => emitAll(enqueue, onHealthOk(context.balancer, event))),
    runHealthChecks: enqueueActions(({ context, enqueue }) => emitAll(enqueue, runHealthChecks(context.balancer))),
  },
  delays: {
    checkInterval: ({ context }) => context.balancer.config.checkIntervalMs,
  },
}).createMachine({
  id: 'loadBalancer',
  context: ({ input }) => ({ balancer: newBalancer(input.address, input.config) }),
  entry: 'runHealthChecks',
  initial: 'balancing',
  states: {
    balancing: {
      on: {
        'api.request': { actions: 'forwardRequest' },
        'api.watch.cancel': { actions: 'forwardCancel' },
        'api.response': { actions: 'forwardAnswer' },
        'api.watch': { actions: 'forwardAnswer' },
        'api.stream': { actions: 'forwardAnswer' },
        'health.ok': { actions: 'recordHealthOk' },
      },
      after: { checkInterval: { target: 'balancing', reenter: true, actions: 'runHealthChecks' } },
    },
  },
});
