import type { Subscription } from 'rxjs';
import type {
  ApiRequest, ApiRequestMessage, ApiResponseMessage, ApiStreamMessage, ApiWatchCancelMessage, ApiWatchMessage, WatchEventBody,
} from '../apiserver/protocol.ts';
import type { Bus } from '../bus/bus.ts';
import type { Address } from '../bus/envelope.ts';
import { gatewayTimeout, serviceUnavailable } from './errors.ts';

/**
 * The front door's presence on the bus: one address (`frontdoor-0`) that sends `api.request`s to the
 * apiserver actors, round-robin over those that are up, and routes their `api.response`, `api.watch` and
 * `api.stream` (followed logs) messages back to the HTTP exchange waiting for them. It is an ordinary
 * client of the actors, like a kubelet or a controller: no call reaches around them.
 *
 * A crashed apiserver answers nothing, so the client watches liveness itself: a request to an apiserver
 * that went away (or restarted: a new incarnation has forgotten the request) is answered 503, and its
 * watches end, as a client sees its connection drop; every request also has a deadline (504).
 */

export interface ApiAnswer {
  code: number;
  body: unknown;
  /** Which apiserver answered (for logs and tests). */
  apiserver?: Address;
  /** A body that is not an API object (`text/plain` pod logs). */
  contentType?: string;
  /** The body goes on as a stream (`kubectl logs -f`): `start` delivers it through `onData`. */
  stream?: boolean;
}

export interface WatchHandlers {
  onEvents(events: WatchEventBody[]): void;
  /** A piece of a streamed body (`api.stream`, pods/log?follow=true). */
  onData?(data: string): void;
  /** The stream ended: timeout, cache restart, 410, or the apiserver went away. */
  onClosed(): void;
}

/** Running incarnation of a component, or undefined while it is down (`sim.host(a).incarnation`). */
export type Liveness = (address: Address) => number | undefined;

export interface ApiBusClientOptions {
  bus: Bus;
  address: Address;
  apiservers: readonly Address[];
  /** How long to wait for an answer (the apiserver's own request timeout is 60 s). */
  requestTimeoutMs: number;
  liveness?: Liveness;
  /** How often liveness is checked for requests and watches in flight. */
  livenessCheckMs?: number;
}

interface Pending {
  apiserver: Address;
  incarnation: number | undefined;
  resolve(answer: ApiAnswer): void;
  timer: ReturnType<typeof setTimeout>;
}

interface OpenWatch {
  apiserver: Address;
  incarnation: number | undefined;
  /** Set by `start`; until then events are kept in `early`. */
  handlers?: WatchHandlers;
  early: (WatchEventBody[] | string)[];
  closedEarly: boolean;
  /** The last stream message number relayed (the apiserver numbers each stream's messages from 1). */
  lastSeq?: number;
}

/**
 * A watch or log stream is one HTTP/2 stream over TCP upstream: in order or broken. The bus may repeat a
 * message (drop it) or lose one (a gap: end the HTTP stream, so the real client watches again from its
 * last resourceVersion rather than carrying on without the lost events).
 */
function sequenceVerdict(open: OpenWatch, seq: number | undefined): 'relay' | 'repeat' | 'gap' {
  if (seq === undefined) return 'relay';
  const last = open.lastSeq ?? 0;
  if (seq <= last) return 'repeat';
  if (seq > last + 1) return 'gap';
  open.lastSeq = seq;
  return 'relay';
}

export interface OpenedWatch extends ApiAnswer {
  start(handlers: WatchHandlers): void;
  cancel(): void;
}

export class ApiBusClient {
  private readonly pending = new Map<string, Pending>();
  private readonly watches = new Map<string, OpenWatch>();
  private readonly subscription: Subscription;
  private readonly sweeper: ReturnType<typeof setInterval>;
  private readonly nonce = Date.now().toString(36);
  private sequence = 0;
  private nextApiserver = 0;
  private closed = false;

  constructor(private readonly options: ApiBusClientOptions) {
    this.subscription = options.bus.inbox(options.address).subscribe((envelope) => this.receive(envelope.message));
    this.sweeper = setInterval(() => this.sweep(), options.livenessCheckMs ?? 500);
    this.sweeper.unref?.();
  }

  get address(): Address {
    return this.options.address;
  }

  /** Requests and watches in flight (for metrics and tests). */
  get inflight(): { requests: number; watches: number } {
    return { requests: this.pending.size, watches: this.watches.size };
  }

  /** Sends one request; resolves with the apiserver's answer, or a 503/504 Status of the front door's own. */
  request(request: ApiRequest, timeoutMs = this.options.requestTimeoutMs): Promise<ApiAnswer> {
    const apiserver = this.pickApiserver();
    if (this.closed || apiserver === undefined) return Promise.resolve(unavailable());
    const requestId = this.newId();
    return new Promise<ApiAnswer>((resolve) => {
      const timer = setTimeout(() => this.settle(requestId, { code: 504, body: gatewayTimeout() }), timeoutMs);
      this.pending.set(requestId, { apiserver, incarnation: this.liveness(apiserver), resolve, timer });
      this.send(apiserver, { type: 'api.request', requestId, request });
    });
  }

  /**
   * Opens a watch. Resolves with the apiserver's answer: 200 means the stream is open, and `start(handlers)`
   * delivers its events (those that arrived before `start` first); anything else is the error that
   * refused it. `cancel` stops an open stream.
   */
  async watch(request: ApiRequest): Promise<OpenedWatch> {
    const apiserver = this.pickApiserver();
    const none = { start: () => {}, cancel: () => {} };
    if (this.closed || apiserver === undefined) return { ...unavailable(), ...none };
    const requestId = this.newId();
    const open: OpenWatch = { apiserver, incarnation: this.liveness(apiserver), early: [], closedEarly: false };
    this.watches.set(requestId, open);
    const answer = await new Promise<ApiAnswer>((resolve) => {
      const timer = setTimeout(() => this.settle(requestId, { code: 504, body: gatewayTimeout() }), this.options.requestTimeoutMs);
      this.pending.set(requestId, { apiserver, incarnation: open.incarnation, resolve, timer });
      this.send(apiserver, { type: 'api.request', requestId, request });
    });
    // A log that is not followed (or no longer can be) was answered whole.
    if (answer.code !== 200 || (request.subresource === 'log' && answer.stream !== true)) {
      this.watches.delete(requestId);
      return { ...answer, ...none };
    }
    return {
      ...answer,
      start: (handlers) => {
        if (open.handlers) return;
        open.handlers = handlers;
        for (const early of open.early) {
          if (typeof early === 'string') handlers.onData?.(early);
          else handlers.onEvents(early);
        }
        open.early = [];
        if (open.closedEarly || !this.watches.has(requestId)) {
          this.watches.delete(requestId);
          handlers.onClosed();
        }
      },
      cancel: () => {
        if (!this.watches.delete(requestId)) return;
        this.send(apiserver, { type: 'api.watch.cancel', requestId });
      },
    };
  }

  /** Stops listening: pending requests get 503, open watches end. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    clearInterval(this.sweeper);
    for (const id of [...this.pending.keys()]) this.settle(id, unavailable());
    for (const [id, w] of [...this.watches]) {
      this.watches.delete(id);
      this.send(w.apiserver, { type: 'api.watch.cancel', requestId: id });
      w.handlers?.onClosed();
    }
    this.subscription.unsubscribe();
  }

  private receive(raw: { type: string }): void {
    if (raw.type === 'api.response') {
      const message = raw as ApiResponseMessage;
      const pending = this.pending.get(message.requestId);
      if (pending) {
        this.settle(message.requestId, {
          code: message.code, body: message.body, apiserver: pending.apiserver,
          ...(message.contentType ? { contentType: message.contentType } : {}), ...(message.stream ? { stream: true } : {}),
        });
      }
      return;
    }
    if (raw.type === 'api.stream') {
      const message = raw as ApiStreamMessage;
      const open = this.watches.get(message.requestId);
      if (!open) return;
      const verdict = sequenceVerdict(open, message.seq);
      if (verdict === 'repeat') return;
      if (verdict === 'gap') return this.breakStream(message.requestId, open);
      const data = typeof message.data === 'string' ? message.data : '';
      if (!open.handlers) {
        if (data !== '') open.early.push(data);
        if (message.closed) open.closedEarly = true;
        return;
      }
      if (data !== '') open.handlers.onData?.(data);
      if (message.closed) {
        this.watches.delete(message.requestId);
        open.handlers.onClosed();
      }
      return;
    }
    if (raw.type === 'api.watch') {
      const message = raw as ApiWatchMessage;
      const open = this.watches.get(message.requestId);
      if (!open) return;
      const verdict = sequenceVerdict(open, message.seq);
      if (verdict === 'repeat') return;
      if (verdict === 'gap') return this.breakStream(message.requestId, open);
      const events = Array.isArray(message.events) ? message.events : [];
      if (!open.handlers) {
        if (events.length > 0) open.early.push(events);
        if (message.closed) open.closedEarly = true;
        return;
      }
      if (events.length > 0) open.handlers.onEvents(events);
      if (message.closed) {
        this.watches.delete(message.requestId);
        open.handlers.onClosed();
      }
    }
  }

  /** Ends a stream that lost a message: upstream is told to stop, the HTTP client sees the stream end. */
  private breakStream(requestId: string, open: OpenWatch): void {
    this.send(open.apiserver, { type: 'api.watch.cancel', requestId });
    if (!open.handlers) {
      open.closedEarly = true;
      return;
    }
    this.watches.delete(requestId);
    open.handlers.onClosed();
  }

  private settle(requestId: string, answer: ApiAnswer): void {
    const pending = this.pending.get(requestId);
    if (!pending) return;
    this.pending.delete(requestId);
    clearTimeout(pending.timer);
    pending.resolve(answer);
  }

  /** Requests and watches whose apiserver went away (or came back as a new incarnation). */
  private sweep(): void {
    for (const [id, p] of [...this.pending]) {
      if (this.liveness(p.apiserver) !== p.incarnation) this.settle(id, unavailable());
    }
    for (const [id, w] of [...this.watches]) {
      if (this.liveness(w.apiserver) === w.incarnation) continue;
      if (!w.handlers) {
        w.closedEarly = true;
        continue;
      }
      this.watches.delete(id);
      w.handlers.onClosed();
    }
  }

  private liveness(address: Address): number | undefined {
    if (this.options.liveness) return this.options.liveness(address);
    return this.options.bus.isListening(address) ? 0 : undefined;
  }

  private pickApiserver(): Address | undefined {
    const all = this.options.apiservers;
    for (let i = 0; i < all.length; i++) {
      const candidate = all[(this.nextApiserver + i) % all.length];
      if (this.liveness(candidate) !== undefined) {
        this.nextApiserver = (this.nextApiserver + i + 1) % all.length;
        return candidate;
      }
    }
    return undefined;
  }

  private newId(): string {
    return `http-${this.nonce}-${this.sequence++}`;
  }

  private send(to: Address, message: Omit<ApiRequestMessage, 'from'> | Omit<ApiWatchCancelMessage, 'from'>): void {
    this.options.bus.send(this.options.address, to, { ...message, from: this.options.address });
  }
}

function unavailable(): ApiAnswer {
  return { code: 503, body: serviceUnavailable('no kube-apiserver is available to serve the request') };
}
