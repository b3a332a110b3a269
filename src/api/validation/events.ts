// Event validation: legacyValidateEvent (every Event create, whichever API it came through)
// plus the strict events.k8s.io/v1 rules. Field paths are top-level, as upstream reports them.
import type { Event } from 'kubernetes-types/core/v1.js';
import type { Event as EventV1 } from 'kubernetes-types/events/v1.js';
import { type Cause, invalid, required } from './causes.ts';
import { validateObjectMeta } from './object-meta.ts';
import { isDNS1123Subdomain, isQualifiedName, nameIsDNSSubdomain, pathSegmentName } from './rules.ts';

const REPORTING_INSTANCE_LIMIT = 128;
const ACTION_LIMIT = 128;
const REASON_LIMIT = 128;
const NOTE_LIMIT = 1024;

interface EventFields {
  namespace: string;
  involvedNamespace: string;
  eventTime: string | undefined;
  reportingController: string;
  reportingInstance: string;
  action: string;
  reason: string;
  note: string;
}

/** legacyValidateEvent: what every Event create passes, whichever API it came through. */
function legacyValidateEvent(e: EventFields, reportingControllerField: string): Cause[] {
  const causes: Cause[] = [];
  const mismatch = () => invalid('involvedObject.namespace', e.involvedNamespace, 'does not match event.namespace');
  if (!e.eventTime) {
    if (e.involvedNamespace === '') {
      if (e.namespace !== '' && e.namespace !== 'default') causes.push(mismatch());
    } else if (e.namespace !== e.involvedNamespace) causes.push(mismatch());
  } else {
    if (e.involvedNamespace === '' && e.namespace !== 'default' && e.namespace !== 'kube-system') causes.push(mismatch());
    if (e.reportingController === '') causes.push(required(reportingControllerField));
    causes.push(...isQualifiedName(e.reportingController).map((msg) => invalid(reportingControllerField, e.reportingController, msg)));
    if (e.reportingInstance === '') causes.push(required('reportingInstance'));
    if (e.reportingInstance.length > REPORTING_INSTANCE_LIMIT) causes.push(invalid('reportingInstance', '', `can have at most ${REPORTING_INSTANCE_LIMIT} characters`));
    if (e.action === '') causes.push(required('action'));
    if (e.action.length > ACTION_LIMIT) causes.push(invalid('action', '', `can have at most ${ACTION_LIMIT} characters`));
    if (e.reason === '') causes.push(required('reason'));
    if (e.reason.length > REASON_LIMIT) causes.push(invalid('reason', '', `can have at most ${REASON_LIMIT} characters`));
    if (e.note.length > NOTE_LIMIT) causes.push(invalid('message', '', `can have at most ${NOTE_LIMIT} characters`));
  }
  causes.push(...isDNS1123Subdomain(e.namespace).map((msg) => invalid('namespace', e.namespace, msg)));
  return causes;
}

/** Events skip strategy ObjectMeta validation; the generic registry check (path-segment names) still runs. */
function genericMetaChecks(meta: Event['metadata']): Cause[] {
  return validateObjectMeta(meta, true, pathSegmentName);
}

export function validateCoreEvent(e: Event): Cause[] {
  const fields: EventFields = {
    namespace: e.metadata?.namespace ?? '',
    involvedNamespace: e.involvedObject?.namespace ?? '',
    eventTime: e.eventTime,
    reportingController: e.reportingComponent ?? '',
    reportingInstance: e.reportingInstance ?? '',
    action: e.action ?? '',
    reason: e.reason ?? '',
    note: e.message ?? '',
  };
  const causes = legacyValidateEvent(fields, 'reportingComponent');
  return causes.length > 0 ? causes : genericMetaChecks(e.metadata);
}

export function validateEventsV1Event(e: EventV1): Cause[] {
  const fields: EventFields = {
    namespace: e.metadata?.namespace ?? '',
    involvedNamespace: e.regarding?.namespace ?? '',
    eventTime: e.eventTime,
    reportingController: e.reportingController ?? '',
    reportingInstance: e.reportingInstance ?? '',
    action: e.action ?? '',
    reason: e.reason ?? '',
    note: e.note ?? '',
  };
  const causes = legacyValidateEvent(fields, 'reportingController');
  // events.k8s.io/v1 adds strict checks on top.
  causes.push(...validateObjectMeta(e.metadata, true, nameIsDNSSubdomain));
  if (!e.eventTime) causes.push(required('eventTime'));
  if (e.type !== 'Normal' && e.type !== 'Warning') causes.push(invalid('type', '', `has invalid value: ${e.type ?? ''}`));
  if (e.deprecatedFirstTimestamp) causes.push(invalid('deprecatedFirstTimestamp', '', 'needs to be unset'));
  if (e.deprecatedLastTimestamp) causes.push(invalid('deprecatedLastTimestamp', '', 'needs to be unset'));
  if (e.deprecatedCount) causes.push(invalid('deprecatedCount', '', 'needs to be unset'));
  if (e.deprecatedSource?.component || e.deprecatedSource?.host) causes.push(invalid('deprecatedSource', '', 'needs to be unset'));
  return causes;
}
