// The kubelet's event recorder (client-go record.EventRecorder over the core/v1 Events API, source
// component "kubelet", host = the node): a first occurrence is created; an identical repeat (same source,
// object, field path, type, reason and message) is folded into it by a merge patch of count and
// lastTimestamp, as the EventCorrelator's logger does. A patch of an event that is gone creates it again.
import type { Event } from 'kubernetes-types/core/v1.js';
import type { ApiResponseMessage } from '../../src/apiserver/protocol.ts';
import { EVENTS, createRequest, failureOf, isNotFound, mergePatchRequest } from '../../src/client/index.ts';
import { rfc3339 } from '../../src/kubelet/format.ts';
import { toCoreEvent, type KubeletEvent } from '../../src/kubelet/events.ts';
import type { CallPurpose, Tx } from './state.ts';

/** Upstream keeps 4096; a kubelet's few pods never need more than this. */
const RECENT_LIMIT = 512;

function aggregationKey(event: Event): string {
  const o = event.involvedObject;
  return [event.source?.component, event.source?.host, o.kind, o.namespace, o.name, o.fieldPath, o.uid, o.apiVersion, event.type, event.reason, event.message].join('\u0000');
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
    tx.update({ recorder: { ...recorder, seq, recent: { ...recorder.recent, [key]: { ...seen, count, event: updated } } } });
    tx.call({ kind: 'event-patch', key, event: updated }, mergePatchRequest(EVENTS, seen.name, { count, lastTimestamp }, { namespace: seen.namespace }));
    return;
  }
  const namespace = event.metadata!.namespace!;
  const recent = { ...recorder.recent, [key]: { name: event.metadata!.name!, namespace, count: 1, event } };
  let order = [...recorder.order, key];
  if (order.length > RECENT_LIMIT) {
    delete recent[order[0]];
    order = order.slice(1);
  }
  tx.update({ recorder: { seq, recent, order } });
  tx.call({ kind: 'event-create', key }, createRequest(EVENTS, event, { namespace }));
}

/** An answer to an event write: only a patch of a vanished event needs anything (create it again). */
export function onEventAnswer(tx: Tx, purpose: CallPurpose, message: ApiResponseMessage | undefined): void {
  if (purpose.kind !== 'event-patch' || message === undefined) return;
  if (!isNotFound(failureOf(message))) return;
  const { metadata, ...rest } = purpose.event;
  const event: Event = { ...rest, metadata: { name: metadata?.name, namespace: metadata?.namespace } };
  tx.call({ kind: 'event-create', key: purpose.key }, createRequest(EVENTS, event, { namespace: metadata?.namespace }));
}
