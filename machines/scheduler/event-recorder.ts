// The scheduler's event recorder. kube-scheduler uses the events.k8s.io broadcaster when the apiserver
// serves it, and client-go's legacy core/v1 recorder otherwise; this apiserver serves only core/v1, so
// events are written exactly as machines/controller-manager/events.ts writes them (its `newEvent` is
// reused: same object, same name scheme, same count/lastTimestamp patch for an identical repeat).
//
// Why not reuse its `recordEvent` too: its aggregation state is an immutable record copied on every event
// (O(512) per event), which made event writing a third of the scheduler's time when binding thousands of
// pods. The same aggregation (a bounded LRU keyed like the EventCorrelator) is kept here in a Map that is
// updated in place, as the rest of the scheduler's state is.
import type { Address } from '../../src/bus/envelope.ts';
import type { UserInfo } from '../../src/apiserver/protocol.ts';
import { EVENTS, createRequest, mergePatchRequest, sendRequest, type Outgoing } from '../../src/client/index.ts';
import { KUBESIM_EPOCH_MS, rfc3339 } from '../../src/kubelet/format.ts';
import { newEvent, type EventSpec } from '../controller-manager/events.ts';

interface Recent {
  readonly name: string;
  readonly namespace: string;
  count: number;
}

export interface EventRecorder {
  seq: number;
  /** Recently recorded events by aggregation key, least recently recorded first (bounded). */
  readonly recent: Map<string, Recent>;
}

export interface RecorderTarget {
  readonly apiserver: Address;
  readonly idPrefix: string;
  readonly user: UserInfo;
}

const RECENT_LIMIT = 512;

export function newEventRecorder(): EventRecorder {
  return { seq: 0, recent: new Map() };
}

function aggregationKey(spec: EventSpec): string {
  const o = spec.involvedObject;
  return [spec.component, o.kind, o.namespace, o.name, o.uid, o.apiVersion, spec.type, spec.reason, spec.message].join('\u0000');
}

/** "<object>.<UnixNano in hex>"; `seq` keeps names unique when virtual time stands still. */
function eventName(spec: EventSpec, now: number, seq: number): string {
  const unixNano = BigInt(KUBESIM_EPOCH_MS) * 1_000_000n + BigInt(Math.round(now * 1e6)) + BigInt(seq);
  return `${spec.involvedObject.name}.${unixNano.toString(16)}`;
}

/** Records one event: a create, or a count/lastTimestamp patch of its identical predecessor. */
export function recordEvent(recorder: EventRecorder, spec: EventSpec, now: number, target: RecorderTarget): Outgoing {
  recorder.seq++;
  const requestId = `${target.idPrefix}/events/${recorder.seq}`;
  const key = aggregationKey(spec);
  const seen = recorder.recent.get(key);
  if (seen !== undefined) {
    seen.count++;
    recorder.recent.delete(key);
    recorder.recent.set(key, seen);
    const patch = mergePatchRequest(EVENTS, seen.name, { count: seen.count, lastTimestamp: rfc3339(now) }, { namespace: seen.namespace, user: target.user });
    return sendRequest(target.apiserver, requestId, patch);
  }
  const event = newEvent(spec, eventName(spec, now, recorder.seq), now);
  const namespace = event.metadata!.namespace!;
  recorder.recent.set(key, { name: event.metadata!.name!, namespace, count: 1 });
  if (recorder.recent.size > RECENT_LIMIT) recorder.recent.delete(recorder.recent.keys().next().value!);
  return sendRequest(target.apiserver, requestId, createRequest(EVENTS, event, { namespace, user: target.user }));
}
