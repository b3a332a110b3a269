import type { Subscription } from 'rxjs';
import type { ApiQuery, ApiRequest, ApiResponseMessage, ApiStreamMessage, Status } from '../../src/apiserver/protocol.ts';
import type { Address } from '../../src/bus/envelope.ts';
import type { Simulation } from '../../src/host/simulation.ts';
import { KUBECTL_USER } from '../../src/cluster/index.ts';

/** One `kubectl logs` request as the client sees it: the answer, then (when following) the stream. */
export interface LogExchange {
  response?: ApiResponseMessage;
  /** The body: the answer's text, then every streamed piece, in order. */
  text: string;
  chunks: ApiStreamMessage[];
  closed: boolean;
  /** Gaps or repeats in the stream's numbering (there should be none on a clean network). */
  outOfOrder: number;
}

/**
 * `kubectl logs` on the bus: sends pods/log requests to an apiserver from its own address and collects the
 * answer and the `api.stream` messages that follow it.
 */
export class LogClient {
  private readonly exchanges = new Map<string, LogExchange>();
  private readonly subscription: Subscription;
  private sequence = 0;

  constructor(private readonly sim: Simulation, private readonly apiserver: Address = 'apiserver-0', readonly address: Address = 'test/kubectl-logs') {
    this.subscription = sim.bus.inbox(address).subscribe((envelope) => {
      const message = envelope.message as unknown as ApiResponseMessage | ApiStreamMessage;
      const exchange = this.exchanges.get(message.requestId);
      if (!exchange) return;
      if (message.type === 'api.response') {
        exchange.response ??= message;
        if (typeof message.body === 'string') exchange.text += message.body;
        if (!message.stream) exchange.closed = true;
      } else if (message.type === 'api.stream') {
        if (message.seq !== exchange.chunks.length + 1) exchange.outOfOrder++;
        exchange.chunks.push(message);
        exchange.text += message.data;
        if (message.closed) exchange.closed = true;
      }
    });
  }

  /** Sends GET pods/<pod>/log?<query>; the exchange fills in as the simulation runs. */
  open(pod: string, query: ApiQuery = {}, namespace = 'default'): LogExchange & { requestId: string } {
    const requestId = `logs-${++this.sequence}`;
    const request: ApiRequest = { verb: 'get', group: '', version: 'v1', resource: 'pods', subresource: 'log', namespace, name: pod, query, user: KUBECTL_USER };
    const exchange: LogExchange = { text: '', chunks: [], closed: false, outOfOrder: 0 };
    this.exchanges.set(requestId, exchange);
    this.sim.bus.send(this.address, this.apiserver, { type: 'api.request', from: this.address, requestId, request });
    return Object.assign(exchange, { requestId });
  }

  /** GET and run until the answer arrives: 200 with the text, or the error Status. */
  get(pod: string, query: ApiQuery = {}, namespace = 'default'): { code: number; text: string; status?: Status; contentType?: string } {
    const exchange = this.open(pod, query, namespace);
    this.sim.runUntilTrue(() => exchange.response !== undefined, 30_000);
    const response = exchange.response;
    if (!response) throw new Error(`no answer to pods/${pod}/log`);
    return response.code >= 400
      ? { code: response.code, text: '', status: response.body as Status }
      : { code: response.code, text: exchange.text, ...(response.contentType ? { contentType: response.contentType } : {}) };
  }

  /** The client closes its stream (`kubectl logs -f` interrupted). */
  cancel(requestId: string): void {
    this.sim.bus.send(this.address, this.apiserver, { type: 'api.watch.cancel', from: this.address, requestId });
  }

  close(): void {
    this.subscription.unsubscribe();
  }
}
