// printEvent: LAST SEEN TYPE REASON OBJECT | SUBOBJECT SOURCE | MESSAGE | FIRST SEEN COUNT NAME. events.k8s.io/v1
// Events are printed through the same printer after the conversion upstream does to the internal type.
import type { Event } from 'kubernetes-types/core/v1.js';
import type { Event as EventV1 } from 'kubernetes-types/events/v1.js';
import { column, NAME_DESCRIPTION } from '../columns.ts';
import { int, since, str } from '../format.ts';
import type { Printer } from '../printer.ts';

/** events.k8s.io/v1 → core/v1 field names (k8s.io/kubernetes/pkg/apis/events/v1 conversion). */
function asCoreEvent(e: Event | EventV1): Event {
  if ((e as EventV1).apiVersion !== 'events.k8s.io/v1') return e as Event;
  const v1 = e as EventV1;
  return {
    metadata: v1.metadata ?? {},
    involvedObject: v1.regarding ?? {},
    reason: v1.reason,
    message: v1.note,
    type: v1.type,
    source: v1.deprecatedSource,
    firstTimestamp: v1.deprecatedFirstTimestamp,
    lastTimestamp: v1.deprecatedLastTimestamp,
    count: v1.deprecatedCount,
    eventTime: v1.eventTime,
    series: v1.series ? { count: v1.series.count, lastObservedTime: v1.series.lastObservedTime } : undefined,
    reportingComponent: v1.reportingController,
    reportingInstance: v1.reportingInstance,
  };
}

function source(e: Event): string {
  const component = e.source?.component || e.reportingComponent || '';
  const instance = e.source?.host || e.reportingInstance || '';
  return instance === '' ? component : `${component}, ${instance}`;
}

export const eventPrinter: Printer = {
  columns: [
    column('Last Seen', 'The time at which the most recent occurrence of this event was recorded.'),
    column('Type', 'Type of this event (Normal, Warning), new types could be added in the future'),
    column('Reason', "This should be a short, machine understandable string that gives the reason for the transition into the object's current status."),
    column('Object', 'The object that this event is about.'),
    column('Subobject', 'If referring to a piece of an object instead of an entire object, this string should contain a valid JSON/Go field access statement, such as desiredState.manifest.containers[2].', { wide: true }),
    column('Source', 'The component reporting this event. Should be a short machine understandable string.', { wide: true }),
    column('Message', 'A human-readable description of the status of this operation.'),
    column('First Seen', 'The time at which the event was first recorded. (Time of server receipt is in TypeMeta.)', { wide: true }),
    column('Count', 'The number of times this event has occurred.', { wide: true }),
    column('Name', NAME_DESCRIPTION, { wide: true, format: 'name' }),
  ],
  cells(raw: Event | EventV1, now) {
    const e = asCoreEvent(raw);
    const firstSeen = e.firstTimestamp ? since(e.firstTimestamp, now) : since(e.eventTime, now);
    let lastSeen = e.lastTimestamp ? since(e.lastTimestamp, now) : firstSeen;
    let count = int(e.count);
    if (e.series) {
      lastSeen = since(e.series.lastObservedTime, now);
      count = int(e.series.count);
    } else if (count === 0) {
      count = 1; // singleton events of the new API carry no count
    }
    const kind = str(e.involvedObject?.kind).toLowerCase();
    const target = e.involvedObject?.name ? `${kind}/${e.involvedObject.name}` : kind;
    return [
      lastSeen, e.type ?? '', e.reason ?? '', target, e.involvedObject?.fieldPath ?? '', source(e), str(e.message).trim(),
      firstSeen, count, e.metadata?.name ?? '',
    ];
  },
};
