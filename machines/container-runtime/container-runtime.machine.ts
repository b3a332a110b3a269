import { enqueueActions, setup } from 'xstate';
import type { HostedEmitted, HostedInput } from '../../src/host/contract.ts';
import type { CriRequestMessage } from '../../src/kubelet/cri.ts';
import type { ContainerRuntimeConfig } from './config.ts';
import { loadRuntime, runtimeDeadline, serveRequest, startRuntime, tickRuntime, type RuntimeNodeState, type RuntimeOutcome } from './cri-server.ts';

/**
 * A node's container runtime (containerd behind the CRI, with its CNI plugin) at `<node>/containerd`. It
 * owns the node's sandboxes, containers, image cache, pulls and pod IPs as durable state (synced to its disk
 * before it answers), serves `cri.request` calls from the kubelet with `cri.response`, and runs its own
 * timeline: a timer at the next pull completion or process exit (including OOM kills). A restart recovers
 * everything from disk; the containers kept running meanwhile, as under containerd's shims.
 *
 * One state, re-entered on every call so its one timer always tracks the next thing due.
 */
export interface ContainerRuntimeContext {
  runtime: RuntimeNodeState;
  now: () => number;
}

export type ContainerRuntimeEvent = CriRequestMessage & { from: string };

/** With nothing scheduled, wake up now and then anyway (nothing happens). */
export const RUNTIME_IDLE_WAKEUP_MS = 60_000;

type Enqueue = Parameters<Parameters<typeof enqueueActions<ContainerRuntimeContext, ContainerRuntimeEvent, undefined, ContainerRuntimeEvent, never, never, never, never, HostedEmitted>>[0]>[0]['enqueue'];

function apply(enqueue: Enqueue, outcome: RuntimeOutcome): void {
  for (const emitted of outcome.emits) enqueue.emit(emitted);
  enqueue.assign(() => ({ runtime: outcome.state }));
}

export const containerRuntimeMachine = setup({
  types: {
    context: {} as ContainerRuntimeContext,
    events: {} as ContainerRuntimeEvent,
    input: {} as HostedInput<ContainerRuntimeConfig>,
    emitted: {} as HostedEmitted,
  },
  actions: {
    // Exits that fell due while the runtime was down are recorded now; a fresh state is written to disk.
    recoverFromDisk: enqueueActions(({ context, enqueue }) => apply(enqueue, startRuntime(context.runtime, context.now()))),
    serveCriCall: enqueueActions(({ context, event, enqueue }) => {
      if (event.type === 'cri.request') apply(enqueue, serveRequest(context.runtime, event, context.now()));
    }),
    advanceTimeline: enqueueActions(({ context, enqueue }) => apply(enqueue, tickRuntime(context.runtime, context.now()))),
  },
  delays: {
    nextRuntimeEvent: ({ context }) => {
      const at = runtimeDeadline(context.runtime);
      return at === undefined ? RUNTIME_IDLE_WAKEUP_MS : Math.max(0, at - context.now());
    },
  },
}).createMachine({
  id: 'containerRuntime',
  context: ({ input }) => ({ runtime: loadRuntime(input.config, input.disk), now: input.now }),
  entry: 'recoverFromDisk',
  initial: 'serving',
  states: {
    serving: {
      on: {
        'cri.request': { target: 'serving', reenter: true, actions: 'serveCriCall' },
      },
      after: { nextRuntimeEvent: { target: 'serving', reenter: true, actions: 'advanceTimeline' } },
    },
  },
});
