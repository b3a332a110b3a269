import { Observable, Subject } from 'rxjs';
import type { SimClock } from '../sim/clock.ts';
import type { Address, BusEvent, DropReason, Envelope } from './envelope.ts';
import type { Network } from './network.ts';

/**
 * The one bus of a run: the network between components.
 *
 * Every address has an inbox (an RxJS Subject) found through a map, so delivering a message costs one map
 * lookup whatever the number of components. `send` applies the network model of the directed link
 * (partition, loss, latency, duplication, ordering) and schedules the delivery on the run's clock; at
 * delivery time the partition is checked again (a message in flight when a partition starts is lost).
 * Every send, delivery and drop is reported on `tap`, in the order it happens.
 */
/** Returns true when it keeps `message` (to send it again itself later). */
export type SendHolder = (from: Address, to: Address, message: { type: string }) => boolean;

export class Bus {
  private readonly inboxes = new Map<Address, Subject<Envelope>>();
  private readonly tapSubject = new Subject<BusEvent>();
  /** Latest scheduled delivery time per directed link, to keep non-reordering links FIFO. */
  private readonly linkTail = new Map<Address, Map<Address, number>>();
  private sequence = 0;
  private counts = { sent: 0, delivered: 0, dropped: 0 };
  /** A fault that holds messages back before they reach the wire (null almost always: one check per send). */
  private holder: SendHolder | null = null;

  readonly tap: Observable<BusEvent> = this.tapSubject.asObservable();

  constructor(
    readonly clock: SimClock,
    readonly network: Network,
  ) {}

  /** The messages delivered to `address`. Subscribing is how a component listens. */
  inbox(address: Address): Observable<Envelope> {
    return this.inboxFor(address).asObservable();
  }

  /** True when something listens at `address` (a crashed component does not). */
  isListening(address: Address): boolean {
    return this.inboxes.get(address)?.observed ?? false;
  }

  get stats(): Readonly<{ sent: number; delivered: number; dropped: number }> {
    return this.counts;
  }

  /**
   * Installs (or, with null, removes) a fault that may hold a message back before it reaches the wire —
   * e.g. a stalled HTTP/2 stream (src/campaign/cluster/watch-stall.ts). A held message is the holder's to
   * send again later; `send` then returns -1 and counts nothing.
   */
  holdSends(holder: SendHolder | null): void {
    this.holder = holder;
  }

  /** Puts `message` on the wire from → to. Returns the envelope id (-1: held back by a fault). */
  send<M extends { type: string }>(from: Address, to: Address, message: M): number {
    if (this.holder !== null && this.holder(from, to, message)) return -1;
    const id = this.sequence++;
    const now = this.clock.now();
    const network = this.network;
    const link = network.link(from, to);
    this.counts.sent++;

    const first = this.envelope(id, from, to, message, now, this.deliveryTime(from, to, now, link.reorder, network.latency(link)), 0);
    if (this.tapSubject.observed) this.tapSubject.next({ kind: 'send', at: now, envelope: first });

    if (network.isCut(from, to)) return this.drop(first, 'partition'), id;
    if (network.drops(link)) return this.drop(first, 'loss'), id;
    this.schedule(first);
    if (network.duplicates(link)) {
      const deliverAt = this.deliveryTime(from, to, now, link.reorder, network.latency(link));
      this.schedule(this.envelope(id, from, to, message, now, deliverAt, 1));
    }
    return id;
  }

  private envelope(
    id: number, from: Address, to: Address, message: { type: string }, sentAt: number, deliverAt: number, copy: number,
  ): Envelope {
    return { id, from, to, type: message.type, message, sentAt, deliverAt, copy };
  }

  private deliveryTime(from: Address, to: Address, now: number, reorder: boolean, latency: number): number {
    const at = now + latency;
    if (reorder) return at;
    let row = this.linkTail.get(from);
    if (!row) this.linkTail.set(from, (row = new Map()));
    const tail = row.get(to) ?? 0;
    // Equal deadlines keep send order: the clock breaks ties by scheduling sequence.
    const fifoAt = at > tail ? at : tail;
    row.set(to, fifoAt);
    return fifoAt;
  }

  private schedule(envelope: Envelope): void {
    this.clock.setTimeoutWith(this.deliverOnTime, envelope, envelope.deliverAt - this.clock.now());
  }

  /** One callback for every delivery timer (the envelope is the timer's argument): no closure per message. */
  private readonly deliverOnTime = (envelope: Envelope): void => this.deliver(envelope);

  private deliver(envelope: Envelope): void {
    if (this.network.isCut(envelope.from, envelope.to)) return this.drop(envelope, 'partition');
    const inbox = this.inboxes.get(envelope.to);
    if (!inbox || !inbox.observed) return this.drop(envelope, 'unreachable');
    this.counts.delivered++;
    if (this.tapSubject.observed) this.tapSubject.next({ kind: 'deliver', at: this.clock.now(), envelope });
    inbox.next(envelope);
  }

  private drop(envelope: Envelope, reason: DropReason): void {
    this.counts.dropped++;
    if (this.tapSubject.observed) this.tapSubject.next({ kind: 'drop', at: this.clock.now(), envelope, reason });
  }

  private inboxFor(address: Address): Subject<Envelope> {
    let inbox = this.inboxes.get(address);
    if (!inbox) this.inboxes.set(address, (inbox = new Subject<Envelope>()));
    return inbox;
  }
}
