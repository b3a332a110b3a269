// The user's kubectl as a client on the bus, at `user/kubectl`: it sends `api.request`s to an apiserver
// actor and reads the answers — the same path every component uses, never around the apiserver. On a
// virtual clock `call` drives the run until the answer arrives (kubectl blocking on its HTTP request);
// on any clock `request` returns a promise.
import type { Subscription } from 'rxjs';
import type { Address } from '../bus/envelope.ts';
import type {
  ApiRequest, ApiResponseMessage, ApiWatchCancelMessage, ApiWatchMessage, Status, UserInfo,
} from '../apiserver/protocol.ts';
import type { Simulation } from '../host/simulation.ts';
import { VirtualClock, type SimClock } from '../sim/clock.ts';

export const USER_ADDRESS = 'user/kubectl';

/** Who kubectl is with kubeadm's admin.conf. */
export const KUBECTL_USER: UserInfo = Object.freeze({
  username: 'kubernetes-admin',
  groups: ['kubeadm:cluster-admins', 'system:authenticated'],
}) as UserInfo;

/** kubectl's default request timeout is none; ours is a minute of virtual time so a dead cluster ends a run. */
export const DEFAULT_REQUEST_TIMEOUT_MS = 60_000;

/** An answer that is an API error: the apiserver's Status, worded as kubectl prints it. */
export class ApiError extends Error {
  constructor(readonly status: Status) {
    super(`Error from server${status.reason ? ` (${status.reason})` : ''}: ${status.message}`);
    this.name = 'ApiError';
  }

  get code(): number {
    return this.status.code;
  }
}

/** No answer in time (apiserver down or cut off): kubectl's "Unable to connect to the server". */
export class RequestTimeoutError extends Error {
  constructor(readonly apiserver: Address, readonly timeoutMs: number) {
    super(`Unable to connect to the server: no answer from ${apiserver} within ${timeoutMs / 1000}s`);
    this.name = 'RequestTimeoutError';
  }
}

/** Every apiserver is down (its process gone): the TCP connection is refused at once. */
export class ConnectionRefusedError extends Error {
  constructor(readonly apiserver: Address) {
    super(`The connection to the server ${apiserver}:6443 was refused - did you specify the right host or port?`);
    this.name = 'ConnectionRefusedError';
  }
}

/** Anything that answers API requests synchronously (the cluster's user client in virtual time). */
export interface Requester {
  call(request: ApiRequest, timeoutMs?: number): ApiResponseMessage;
}

type WatchHandler = (message: ApiWatchMessage) => void;

export class UserClient implements Requester {
  private readonly responses = new Map<string, (response: ApiResponseMessage) => void>();
  private readonly watchHandlers = new Map<string, WatchHandler>();
  private readonly subscription: Subscription;
  private sequence = 0;
  private nextApiserver = 0;

  constructor(
    private readonly sim: Simulation,
    private readonly apiservers: readonly Address[],
    readonly address: Address = USER_ADDRESS,
    private readonly user: UserInfo = KUBECTL_USER,
  ) {
    if (apiservers.length === 0) throw new Error('a user client needs at least one apiserver');
    this.subscription = sim.bus.inbox(address).subscribe((envelope) => {
      const message = envelope.message as unknown as ApiResponseMessage | ApiWatchMessage;
      if (message.type === 'api.response') {
        const resolve = this.responses.get(message.requestId);
        if (resolve) {
          this.responses.delete(message.requestId);
          resolve(message);
        }
      } else if (message.type === 'api.watch') {
        this.watchHandlers.get(message.requestId)?.(message);
        if (message.closed) this.watchHandlers.delete(message.requestId);
      }
    });
  }

  /**
   * The apiserver for the next request: round-robin over those running, as a load balancer with health
   * checks in front of several kube-apiservers would pick. None running: the connection is refused.
   * (One that runs but is cut off by a partition is picked; the request then times out.)
   */
  private pickApiserver(): Address {
    for (let i = 0; i < this.apiservers.length; i++) {
      const candidate = this.apiservers[(this.nextApiserver + i) % this.apiservers.length];
      if (this.sim.has(candidate) && this.sim.host(candidate).status === 'running') {
        this.nextApiserver = (this.nextApiserver + i + 1) % this.apiservers.length;
        return candidate;
      }
    }
    throw new ConnectionRefusedError(this.apiservers[0]);
  }

  /**
   * Puts a request on the bus; `onResponse` gets the answer. Returns the request id and the apiserver.
   * Throws ConnectionRefusedError when no apiserver runs.
   */
  send(request: ApiRequest, onResponse: (response: ApiResponseMessage) => void): { requestId: string; apiserver: Address } {
    const requestId = `kubectl-${++this.sequence}`;
    const apiserver = this.pickApiserver();
    this.responses.set(requestId, onResponse);
    this.sim.bus.send(this.address, apiserver, { type: 'api.request', from: this.address, requestId, request: { ...request, user: request.user ?? this.user } });
    return { requestId, apiserver };
  }

  /** Sends and runs the virtual clock until the answer arrives (or `timeoutMs` of virtual time pass). */
  call(request: ApiRequest, timeoutMs = DEFAULT_REQUEST_TIMEOUT_MS): ApiResponseMessage {
    if (!(this.sim.clock instanceof VirtualClock)) throw new Error('call() drives virtual time; on a real-time clock use request()');
    let answer: ApiResponseMessage | undefined;
    const { requestId, apiserver } = this.send(request, (response) => { answer = response; });
    this.sim.runUntilTrue(() => answer !== undefined, timeoutMs);
    if (answer === undefined) {
      this.responses.delete(requestId);
      throw new RequestTimeoutError(apiserver, timeoutMs);
    }
    return answer;
  }

  /** Sends and resolves with the answer, on any clock (the clock must be running). */
  request(request: ApiRequest, timeoutMs = DEFAULT_REQUEST_TIMEOUT_MS): Promise<ApiResponseMessage> {
    return new Promise((resolve, reject) => {
      let timer: ReturnType<SimClock['setTimeout']> | undefined;
      let sent: { requestId: string; apiserver: Address };
      try {
        sent = this.send(request, (response) => {
          this.sim.clock.clearTimeout(timer);
          resolve(response);
        });
      } catch (error) {
        reject(error as Error);
        return;
      }
      timer = this.sim.clock.setTimeout(() => {
        this.responses.delete(sent.requestId);
        reject(new RequestTimeoutError(sent.apiserver, timeoutMs));
      }, timeoutMs);
    });
  }

  /** Opens a watch (`request.verb` must be `watch`); the handler sees every `api.watch` message. */
  watch(request: ApiRequest, handler: WatchHandler, onResponse?: (response: ApiResponseMessage) => void): { requestId: string; apiserver: Address } {
    const sent = this.send(request, (response) => {
      // A watch is answered only when it cannot start (an error Status, e.g. 410 Expired).
      this.watchHandlers.delete(sent.requestId);
      onResponse?.(response);
    });
    this.watchHandlers.set(sent.requestId, handler);
    return sent;
  }

  cancelWatch(requestId: string, apiserver: Address): void {
    if (!this.watchHandlers.delete(requestId)) return;
    this.responses.delete(requestId);
    const message: ApiWatchCancelMessage & { from: Address } = { type: 'api.watch.cancel', from: this.address, requestId };
    this.sim.bus.send(this.address, apiserver, message);
  }

  close(): void {
    this.subscription.unsubscribe();
    this.responses.clear();
    this.watchHandlers.clear();
  }
}

/** The body of a successful answer, or an ApiError with the apiserver's Status. */
export function bodyOf<T>(response: ApiResponseMessage): T {
  if (response.code >= 200 && response.code < 300) return response.body as T;
  throw new ApiError(statusOf(response));
}

export function statusOf(response: ApiResponseMessage): Status {
  const body = response.body as Partial<Status> | undefined;
  if (body && body.kind === 'Status') return body as Status;
  return {
    kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', reason: '', code: response.code,
    message: typeof response.body === 'string' ? response.body : `unexpected answer (HTTP ${response.code})`,
  };
}
