// The controllers' event recorder (client-go record.EventRecorder over the core/v1 Events API): each
// event is created through the API with involvedObject, reason, message, source.component and
// first/last timestamps; an identical repeat (same object, type, reason, message) is folded into the
// existing event by a merge patch of count and lastTimestamp, as the EventCorrelator's logger does.
import type { Event, ObjectReference } from 'kubernetes-types/core/v1.js';
import type { Address } from '../../src/bus/envelope.ts';
import type { UserInfo } from '../../src/apiserver/protocol.ts';
import { EVENTS, createRequest, mergePatchRequest, sendRequest, type KubeObject, type Outgoing } from '../../src/client/index.ts';
import { emptyKeyMap, keyMapDelete, keyMapGet, keyMapSet, type KeyMap } from '../../src/client/key-map.ts';
import { KUBESIM_EPOCH_MS, rfc3339 } from '../../src/kubelet/format.ts';

export interface EventSpec {
  readonly type: 'Normal' | 'Warning';
  readonly reason: string;
  readonly message: string;
  readonly involvedObject: ObjectReference;
  /** source.component, e.g. "replicaset-controller". */
  readonly component: string;
}

interface Recent {
  readonly name: string;
  readonly namespace: string;
  readonly count: number;
  readonly firstTimestamp: string;
}

export interface RecorderState {
  readonly seq: number;
  /**
   * Recently recorded events by aggregation key (bounded; `order` is oldest first). A persistent map: each
   * event copies one path of it, not all of its entries.
   */
  readonly recent: KeyMap<Recent>;
  readonly order: readonly string[];
}

export interface RecorderTarget {
  readonly apiserver: Address;
  readonly idPrefix: string;
  readonly user: UserInfo;
}

const RECENT_LIMIT = 512;

export function newRecorder(): RecorderState {
  return { seq: 0, recent: emptyKeyMap(), order: [] };
}

/** A reference to the object an event is about (ref.GetReference). */
export function referenceTo(obj: KubeObject, apiVersion: string, kind: string): ObjectReference {
  const ref: ObjectReference = {
    kind, namespace: obj.metadata?.namespace, name: obj.metadata?.name, uid: obj.metadata?.uid, apiVersion,
  };
  if (obj.metadata?.resourceVersion) ref.resourceVersion = obj.metadata.resourceVersion;
  return ref;
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

/** The core/v1 Event for a first occurrence. */
export function newEvent(spec: EventSpec, name: string, now: number): Event {
  const namespace = spec.involvedObject.namespace || 'default';
  return {
    apiVersion: 'v1',
    kind: 'Event',
    metadata: { name, namespace },
    involvedObject: spec.involvedObject,
    reason: spec.reason,
    message: spec.message,
    source: { component: spec.component },
    firstTimestamp: rfc3339(now),
    lastTimestamp: rfc3339(now),
    count: 1,
    type: spec.type,
    reportingComponent: spec.component,
    reportingInstance: '',
  };
}

/** Records one event: a create, or a count/lastTimestamp patch of its identical predecessor. */
export function recordEvent(state: RecorderState, spec: EventSpec, now: number, target: RecorderTarget): { state: RecorderState; sends: Outgoing[] } {
  const seq = state.seq + 1;
  const requestId = `${target.idPrefix}/events/${seq}`;
  const key = aggregationKey(spec);
  const seen = keyMapGet(state.recent, key);
  if (seen) {
    const count = seen.count + 1;
    const patch = mergePatchRequest(EVENTS, seen.name, { count, lastTimestamp: rfc3339(now) }, { namespace: seen.namespace, user: target.user });
    return {
      state: { ...state, seq, recent: keyMapSet(state.recent, key, { ...seen, count }) },
      sends: [sendRequest(target.apiserver, requestId, patch)],
    };
  }
  const event = newEvent(spec, eventName(spec, now, seq), now);
  const namespace = event.metadata!.namespace!;
  let recent = keyMapSet(state.recent, key, { name: event.metadata!.name!, namespace, count: 1, firstTimestamp: event.firstTimestamp! });
  let order = [...state.order, key];
  if (order.length > RECENT_LIMIT) {
    recent = keyMapDelete(recent, order[0]);
    order = order.slice(1);
  }
  return {
    state: { seq, recent, order },
    sends: [sendRequest(target.apiserver, requestId, createRequest(EVENTS, event, { namespace, user: target.user }))],
  };
}

export function isRecorderRequest(requestId: string, idPrefix: string): boolean {
  return requestId.startsWith(`${idPrefix}/events/`);
}
