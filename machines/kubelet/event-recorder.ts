// The kubelet's event recorder (client-go record.EventRecorder over the core/v1 Events API, source
// component "kubelet", host = the node): a first occurrence is created; an identical repeat (same source,
// object, field path, type, reason and message) is folded into it by a merge patch of count and
// lastTimestamp, as the EventCorrelator's logger does. A patch of an event that is gone creates it again.
// A write that gets no answer is tried again, as recordToSink does: up to 12 tries, the first retry after a
// random part of 10 s, the next ones 10 s apart. An answer from the server, even an error, is final.
import type { Event } from 'kubernetes-types/core/v1.js';
import type { ApiResponseMessage } from '../../src/apiserver/protocol.ts';
import { EVENTS, createRequest, failureOf, isNotFound, mergePatchRequest } from '../../src/client/index.ts';
import { rfc3339 } from '../../src/kubelet/format.ts';
import { toCoreEvent, type KubeletEvent } from '../../src/kubelet/events.ts';
import { rngNext } from '../../src/sim/random.ts';
import type { CallPurpose, RecorderState, Tx } from './state.ts';

/** Upstream keeps 4096; a kubelet's few pods never need more than this. */
const RECENT_LIMIT = 512;
/** client-go tools/record: maxTriesPerEvent, defaultSleepDuration. */
export const EVENT_MAX_TRIES = 12;
export const EVENT_RETRY_SLEEP_MS = 10_000;

type EventPurpose = Extract<CallPurpose, { kind: 'event-create' | 'event-patch' }>;

function aggregationKey(event: Event): string {
  const o = event.involvedObject;
  return [event.source?.component, event.source?.host, o.kind, o.namespace, o.name, o.fieldPath, o.uid, o.apiVersion, event.type, event.reason, event.message].join('\u0000');
}

function setRecorder(tx: Tx, patch: Partial<RecorderState>): void {
  tx.update({ recorder: { ...tx.state.recorder, ...patch } });
}

/** Sends an event write: the create of `event`, or the count/lastTimestamp patch of the stored one. */
function write(tx: Tx, purpose: EventPurpose): void {
  const { event } = purpose;
  const namespace = event.metadata?.namespace;
  if (purpose.kind === 'event-create') {
    tx.call(purpose, createRequest(EVENTS, event, { namespace }));
    return;
  }
  tx.call(purpose, mergePatchRequest(EVENTS, event.metadata?.name ?? '', { count: event.count, lastTimestamp: event.lastTimestamp }, { namespace }));
}

/** Posts one kubelet event (create, or count/lastTimestamp patch of its identical predecessor). */
export function recordKubeletEvent(tx: Tx, ev: KubeletEvent): void {
  const recorder = tx.state.recorder;
  const seq = recorder.seq + 1;
  const event = toCoreEvent(ev, tx.state.config.node.name, seq);
  const key = aggregationKey(event);
  const seen = recorder.recent[key];
  if (seen) {
    const count = seen.count + 1;
    const lastTimestamp = rfc3339(ev.at);
    const updated: Event = { ...seen.event, count, lastTimestamp };
    setRecorder(tx, { seq, recent: { ...recorder.recent, [key]: { ...seen, count, event: updated } } });
    write(tx, { kind: 'event-patch', key, event: updated });
    return;
  }
  const namespace = event.metadata!.namespace!;
  const recent = { ...recorder.recent, [key]: { name: event.metadata!.name!, namespace, count: 1, event } };
  let order = [...recorder.order, key];
  if (order.length > RECENT_LIMIT) {
    delete recent[order[0]];
    order = order.slice(1);
  }
  setRecorder(tx, { seq, recent, order });
  write(tx, { kind: 'event-create', key, event });
}

/** Schedules another try of an event write that got no answer, unless it has had all EVENT_MAX_TRIES. */
function scheduleRetry(tx: Tx, purpose: EventPurpose): void {
  const tries = (purpose.tries ?? 0) + 1;
  if (tries >= EVENT_MAX_TRIES) return;
  let delay = EVENT_RETRY_SLEEP_MS;
  if (tries === 1) {
    // "Randomize the first sleep so that various clients won't all be synced up if the master goes down."
    const [u, rng] = rngNext(tx.state.rng);
    tx.update({ rng });
    delay = EVENT_RETRY_SLEEP_MS * u;
  }
  setRecorder(tx, { retries: [...tx.state.recorder.retries, { purpose: { ...purpose, tries }, at: tx.now + delay }] });
}

/** An answer to an event write (undefined: none came in time). */
export function onEventAnswer(tx: Tx, purpose: CallPurpose, message: ApiResponseMessage | undefined): void {
  if (purpose.kind !== 'event-create' && purpose.kind !== 'event-patch') return;
  if (message === undefined) return scheduleRetry(tx, purpose);
  if (purpose.kind !== 'event-patch' || !isNotFound(failureOf(message))) return;
  // The patched event is gone: create it again, as it now stands.
  const { metadata, ...rest } = purpose.event;
  const event: Event = { ...rest, metadata: { name: metadata?.name, namespace: metadata?.namespace } };
  write(tx, { kind: 'event-create', key: purpose.key, event, ...(purpose.tries !== undefined ? { tries: purpose.tries } : {}) });
}

/** Event writes due for another try. */
export function retryEvents(tx: Tx): void {
  const { retries } = tx.state.recorder;
  if (retries.length === 0 || !retries.some((r) => r.at <= tx.now)) return;
  setRecorder(tx, { retries: retries.filter((r) => r.at > tx.now) });
  for (const r of retries) if (r.at <= tx.now) write(tx, r.purpose);
}

export function eventRetryDeadline(recorder: RecorderState): number {
  let at = Infinity;
  for (const r of recorder.retries) at = Math.min(at, r.at);
  return at;
}
