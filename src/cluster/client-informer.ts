// An informer run from outside the model — `kubectl get <x> --watch` kept alive: the shared reflector of
// src/client (list, watch from the list's resourceVersion, re-watch, relist on 410) driven by the run's
// clock and fed from its own bus address. Deterministic: its timers are clock timers like everyone's.
import type { Subscription } from 'rxjs';
import type { Address } from '../bus/envelope.ts';
import type { ApiResponseMessage, ApiWatchMessage } from '../apiserver/protocol.ts';
import type { Simulation } from '../host/simulation.ts';
import type { TimerHandle } from '../sim/clock.ts';
import {
  DEFAULT_INFORMER_OPTIONS, informerDeadline, newInformer, receiveResponse, receiveWatch, startInformer, stopInformer,
  storeList, tickInformer, type Delta, type InformerSpec, type InformerState, type InformerStep, type KubeObject, type Outgoing,
} from '../client/index.ts';
import { KUBECTL_USER } from './user-client.ts';

export class ClientInformer<T extends KubeObject> {
  private state: InformerState<T>;
  private timer: TimerHandle | undefined;
  private readonly subscription: Subscription;

  constructor(
    private readonly sim: Simulation,
    readonly address: Address,
    private readonly spec: InformerSpec<T>,
    /** Picks the apiserver for each list (a running one, as a load balancer would). */
    private readonly pickApiserver: () => Address,
    private readonly onDelta: (delta: Delta<T>) => void,
  ) {
    this.state = newInformer(spec, {
      // Nobody else holds this informer's store: it may be updated in place (O(1) per event).
      ...DEFAULT_INFORMER_OPTIONS, apiserver: pickApiserver(), idPrefix: address, user: KUBECTL_USER, ownsStore: true,
    });
    this.subscription = sim.bus.inbox(address).subscribe((envelope) => {
      const message = envelope.message as unknown as ApiResponseMessage | ApiWatchMessage;
      if (message.type === 'api.response') this.apply(receiveResponse(this.spec, this.state, message, this.sim.now));
      else if (message.type === 'api.watch') this.apply(receiveWatch(this.spec, this.state, message, this.sim.now));
    });
  }

  start(): this {
    this.apply(startInformer(this.spec, this.state, this.sim.now));
    return this;
  }

  stop(): void {
    this.apply(stopInformer(this.state));
    this.sim.clock.clearTimeout(this.timer);
    this.timer = undefined;
    this.subscription.unsubscribe();
  }

  get synced(): boolean {
    return this.state.hasSynced;
  }

  items(): T[] {
    return storeList(this.state.store);
  }

  private apply(step: InformerStep<T>): void {
    this.state = step.state;
    for (const out of step.sends) this.send(out);
    for (const delta of step.deltas) this.onDelta(delta);
    this.arm();
  }

  private send(out: Outgoing): void {
    this.sim.bus.send(this.address, out.to, { ...out.message, from: this.address });
  }

  private arm(): void {
    this.sim.clock.clearTimeout(this.timer);
    this.timer = undefined;
    if (this.state.phase === 'stopped') return;
    const at = informerDeadline(this.state);
    if (at === undefined) return;
    this.timer = this.sim.clock.setTimeout(() => {
      this.timer = undefined;
      // A relist after a back-off goes to whichever apiserver is up now.
      if (this.state.phase === 'backoff') this.state = { ...this.state, options: { ...this.state.options, apiserver: this.pickApiserver() } };
      this.apply(tickInformer(this.spec, this.state, this.sim.now));
    }, at - this.sim.now);
  }
}
