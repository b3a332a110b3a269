import type { Subscription } from 'rxjs';
import type { Simulation } from '../host/simulation.ts';
import type { KvInput, KvOutput, Operation } from '../check/linearizability/history.ts';
import type { OpOutcome } from '../../machines/etcd-client/types.ts';
import type {
  KvRequest, RangeResult, PutResult, DeleteResult, TxnResult, WatchCreateRequest, WatchResponseMessage,
} from './protocol.ts';

/** A watch stream (session) a client opened: the first, or a resume on another member. */
export interface ObservedWatchSession {
  watchId: string;
  stream: number;
  at: number;
  request: WatchCreateRequest;
}

/** A watch response as one client observed it, for the watch-guarantee checker. */
export interface ObservedWatchResponse {
  watchId: string;
  client: string;
  at: number;
  /** 0 for the first stream, +1 for each resume on another member. */
  stream: number;
  response: WatchResponseMessage;
}

/**
 * Builds the checkers' inputs from the etcd clients' observations: the KV history for the linearizability
 * checker (only the requests its model covers: linearizable single-key reads, prefix reads, put, delete,
 * and compare-and-put txns) and the watch responses each client saw.
 */
export class EtcdHistoryRecorder {
  private readonly operations = new Map<string, Operation>();
  private readonly watchLog: ObservedWatchResponse[] = [];
  private readonly sessionLog: ObservedWatchSession[] = [];
  private readonly subscription: Subscription;
  private nextId = 0;

  constructor(sim: Simulation) {
    this.subscription = sim.events.subscribe((event) => {
      if (event.kind !== 'observe') return;
      const o = event.observation as Record<string, unknown> & { type: string };
      if (o.type === 'obs.etcd.invoke') this.onInvoke(o.opId as string, o.client as string, o.at as number, o.request as KvRequest);
      else if (o.type === 'obs.etcd.complete') this.onComplete(o.opId as string, o.at as number, o.outcome as OpOutcome);
      else if (o.type === 'obs.etcd.watchOpen') {
        this.sessionLog.push({ watchId: o.watchId as string, stream: o.stream as number, at: o.at as number, request: o.request as WatchCreateRequest });
      } else if (o.type === 'obs.etcd.watch') {
        this.watchLog.push({
          watchId: o.watchId as string, client: o.client as string, at: o.at as number, stream: o.stream as number,
          response: o.response as WatchResponseMessage,
        });
      }
    });
  }

  /** The KV history, in invocation order. Operations still pending have an unknown outcome. */
  history(): Operation[] {
    return [...this.operations.values()];
  }

  watches(): readonly ObservedWatchResponse[] {
    return this.watchLog;
  }

  watchSessions(): readonly ObservedWatchSession[] {
    return this.sessionLog;
  }

  stop(): void {
    this.subscription.unsubscribe();
  }

  private onInvoke(opId: string, client: string, at: number, request: KvRequest): void {
    const input = toKvInput(request);
    if (input) this.operations.set(opId, { id: this.nextId++, client, input, call: at });
  }

  private onComplete(opId: string, at: number, outcome: OpOutcome): void {
    const op = this.operations.get(opId);
    if (!op) return;
    if (outcome.status === 'unknown') return; // no return: the checker treats it as possibly applied
    op.return = at;
    op.output = outcome.status === 'error' ? { ok: false, error: outcome.error.message } : toKvOutput(op.input, outcome.result);
  }
}

/** The linearizability model's view of a request, or undefined when the model does not cover it. */
export function toKvInput(request: KvRequest): KvInput | undefined {
  switch (request.op) {
    case 'range':
      if (request.serializable || request.revision || request.rangeEnd || request.limit || request.countOnly || request.keysOnly) return undefined;
      return request.prefix ? { op: 'range', prefix: request.key } : { op: 'get', key: request.key };
    case 'put':
      return request.lease ? undefined : { op: 'put', key: request.key, value: request.value };
    case 'delete':
      return request.prefix || request.rangeEnd ? undefined : { op: 'delete', key: request.key };
    case 'txn': {
      const [put] = request.success;
      if (request.failure.length > 0 || request.success.length !== 1 || put.op !== 'put' || put.lease) return undefined;
      if (request.compare.length === 0 || request.compare.some((c) => c.key !== put.key || c.result !== 'EQUAL')) return undefined;
      const cas: KvInput = { op: 'cas', key: put.key, value: put.value };
      for (const c of request.compare) {
        if (c.target === 'MOD') cas.expectModRevision = Number(c.operand);
        else if (c.target === 'VALUE') cas.expectValue = String(c.operand);
        else if (c.target === 'VERSION') cas.expectVersion = Number(c.operand);
        else return undefined;
      }
      return cas;
    }
    default:
      return undefined;
  }
}

export function toKvOutput(input: KvInput, result: unknown): KvOutput {
  switch (input.op) {
    case 'get': {
      const r = result as RangeResult;
      const kv = r.kvs[0];
      return { ok: true, value: kv ? kv.value : null, modRevision: kv?.modRevision ?? 0, version: kv?.version ?? 0, revision: r.header.revision };
    }
    case 'range': {
      const r = result as RangeResult;
      return { ok: true, kvs: r.kvs.map((kv) => ({ key: kv.key, value: kv.value, modRevision: kv.modRevision, version: kv.version })), revision: r.header.revision };
    }
    case 'put':
      return { ok: true, revision: (result as PutResult).header.revision };
    case 'delete': {
      const r = result as DeleteResult;
      return { ok: true, deleted: r.deleted, revision: r.header.revision };
    }
    case 'cas': {
      const r = result as TxnResult;
      return { ok: true, succeeded: r.succeeded, revision: r.header.revision };
    }
  }
}
