import { enqueueActions, setup } from 'xstate';
import type { HostedEmitted, HostedInput } from '../../src/host/contract.ts';
import { newCloud, nextAnswerAt, sendDue, serveCall, type CloudConfig, type CloudOutcome, type CloudState } from '../../src/cloud/cloud.ts';
import type { CloudRequestMessage } from '../../src/cloud/protocol.ts';

/**
 * The simulated cloud's load balancer API at `cloud-provider` (src/cloud/cloud.ts): it serves
 * `cloud.request` calls from the cloud-controller-manager and answers each when its work is done
 * (provisioning a load balancer takes `provisionMs`). Its load balancers are durable (on its disk), so a
 * restarted cloud API still has them; answers in flight die with it.
 *
 * One state, re-entered on every call so its one timer tracks the next answer due.
 */
export interface CloudProviderContext {
  cloud: CloudState;
  now: () => number;
}

export type CloudProviderEvent = CloudRequestMessage & { from: string };

/** With nothing pending, wake up now and then anyway (nothing happens). */
export const CLOUD_IDLE_WAKEUP_MS = 60_000;

type Enqueue = Parameters<Parameters<typeof enqueueActions<CloudProviderContext, CloudProviderEvent, undefined, CloudProviderEvent, never, never, never, never, HostedEmitted>>[0]>[0]['enqueue'];

function apply(enqueue: Enqueue, outcome: CloudOutcome): void {
  for (const emitted of outcome.emits) enqueue.emit(emitted);
  enqueue.assign(() => ({ cloud: outcome.state }));
}

export const cloudProviderMachine = setup({
  types: {
    context: {} as CloudProviderContext,
    events: {} as CloudProviderEvent,
    input: {} as HostedInput<CloudConfig>,
    emitted: {} as HostedEmitted,
  },
  actions: {
    serveCall: enqueueActions(({ context, event, enqueue }) => {
      const served = serveCall(context.cloud, event.from, event, context.now());
      const due = sendDue(served.state, context.now());
      apply(enqueue, { state: due.state, emits: [...served.emits, ...due.emits] });
    }),
    sendDueAnswers: enqueueActions(({ context, enqueue }) => apply(enqueue, sendDue(context.cloud, context.now()))),
  },
  delays: {
    nextAnswer: ({ context }) => {
      const at = nextAnswerAt(context.cloud);
      return at === undefined ? CLOUD_IDLE_WAKEUP_MS : Math.max(0, at - context.now());
    },
  },
}).createMachine({
  id: 'cloud-provider',
  context: ({ input }) => ({ cloud: newCloud(input.config, input.disk), now: input.now }),
  initial: 'serving',
  states: {
    serving: {
      on: {
        'cloud.request': { target: 'serving', reenter: true, actions: 'serveCall' },
      },
      after: { nextAnswer: { target: 'serving', reenter: true, actions: 'sendDueAnswers' } },
    },
  },
});
