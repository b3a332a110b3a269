import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import type { Pod } from 'kubernetes-types/core/v1.js';
import {
  convertFieldSelector,
  fieldSelectorToString,
  fieldsMatch,
  objectMatchesFieldSelector,
  parseFieldSelector,
  selectableFields,
} from '../../src/api/fields.ts';
import { resourceForKind, resourceForApiVersionKind, type ResourceInfo } from '../../src/api/resources.ts';

const numRuns = Number(process.env.FC_NUM_RUNS ?? 100);
const ref = (kind: string, group?: string): ResourceInfo => resourceForKind(kind, group)!;

const pod = (nodeName?: string, phase = 'Pending'): Pod => ({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name: 'web-1', namespace: 'default' },
  spec: { containers: [{ name: 'c', image: 'nginx' }], ...(nodeName ? { nodeName } : {}), restartPolicy: 'Always', schedulerName: 'default-scheduler' },
  status: { phase },
});

describe('parseFieldSelector', () => {
  it('accepts =, == and != and prints terms sorted', () => {
    const sel = parseFieldSelector('status.phase!=Failed,spec.nodeName==node-1,metadata.name=web');
    expect(fieldSelectorToString(sel)).toBe('metadata.name=web,spec.nodeName=node-1,status.phase!=Failed');
  });

  it('allows empty values and escaped specials', () => {
    expect(parseFieldSelector('spec.nodeName=').requirements).toEqual([{ field: 'spec.nodeName', operator: '=', value: '' }]);
    const sel = parseFieldSelector('metadata.name=a\\,b\\=c\\\\d');
    expect(sel.requirements[0].value).toBe('a,b=c\\d');
    expect(fieldSelectorToString(sel)).toBe('metadata.name=a\\,b\\=c\\\\d');
  });

  it.each([
    ['foo', "invalid selector: 'foo'; can't understand 'foo'"],
    ['a=b=c', 'invalid field selector: unescaped character in value: 61'],
    ['a=b\\x', 'invalid field selector: invalid escape sequence: \\x'],
    ['a=b\\', 'invalid field selector: invalid escape sequence: \\'],
  ])('rejects %j', (input, message) => {
    expect(() => parseFieldSelector(input)).toThrow(message);
  });
});

describe('per-kind field labels', () => {
  it('selects unscheduled pods with spec.nodeName=', () => {
    const podsRef = ref('Pod');
    expect(objectMatchesFieldSelector(podsRef, 'spec.nodeName=', pod())).toBe(true);
    expect(objectMatchesFieldSelector(podsRef, 'spec.nodeName=', pod('node-1'))).toBe(false);
    expect(objectMatchesFieldSelector(podsRef, 'spec.nodeName=node-1,status.phase!=Succeeded', pod('node-1', 'Running'))).toBe(true);
    // Legacy alias.
    expect(objectMatchesFieldSelector(podsRef, 'spec.host=node-1', pod('node-1'))).toBe(true);
    expect(selectableFields(podsRef, pod())['spec.hostNetwork']).toBe('false');
  });

  it('rejects unsupported labels with the API message', () => {
    expect(() => convertFieldSelector(ref('Pod'), parseFieldSelector('spec.foo=x'))).toThrow('field label not supported: spec.foo');
    expect(() => convertFieldSelector(ref('Node'), parseFieldSelector('metadata.namespace=x'))).toThrow(
      'field label not supported: metadata.namespace',
    );
    expect(() => convertFieldSelector(ref('Job'), parseFieldSelector('spec.x=1'))).toThrow('field label "spec.x" not supported for Job');
    // Kinds without a conversion func (all of apps/v1, ConfigMaps, Leases) get the generic one.
    expect(() => convertFieldSelector(ref('ReplicaSet'), parseFieldSelector('status.replicas=1'))).toThrow(
      '"status.replicas" is not a known field selector: only "metadata.name", "metadata.namespace"',
    );
  });

  it('knows the event, node, namespace, secret, service and job fields', () => {
    const event = {
      apiVersion: 'v1',
      kind: 'Event',
      metadata: { name: 'e1', namespace: 'default' },
      involvedObject: { kind: 'Pod', name: 'web-1', namespace: 'default', uid: 'u1' },
      reason: 'Scheduled',
      type: 'Normal',
      reportingComponent: 'default-scheduler',
      source: {},
    };
    const events = ref('Event', '');
    expect(objectMatchesFieldSelector(events, 'involvedObject.kind=Pod,involvedObject.name=web-1,reason=Scheduled,type=Normal', event)).toBe(true);
    expect(objectMatchesFieldSelector(events, 'source=default-scheduler', event)).toBe(true);
    const v1Event = { ...event, apiVersion: 'events.k8s.io/v1', regarding: event.involvedObject, reportingController: 'kubelet' };
    const eventsV1 = resourceForApiVersionKind('events.k8s.io/v1', 'Event')!;
    expect(objectMatchesFieldSelector(eventsV1, 'regarding.name=web-1,reportingController=kubelet', v1Event)).toBe(true);

    expect(objectMatchesFieldSelector(ref('Node'), 'spec.unschedulable=true', { spec: { unschedulable: true } })).toBe(true);
    expect(objectMatchesFieldSelector(ref('Node'), 'spec.unschedulable=false', { spec: {} })).toBe(true);
    expect(objectMatchesFieldSelector(ref('Namespace'), 'status.phase=Active', { status: { phase: 'Active' } })).toBe(true);
    expect(objectMatchesFieldSelector(ref('Secret'), 'type=Opaque', { type: 'Opaque' })).toBe(true);
    expect(objectMatchesFieldSelector(ref('Service'), 'spec.type=NodePort', { spec: { type: 'NodePort' } })).toBe(true);
    expect(objectMatchesFieldSelector(ref('Job'), 'status.successful=0', { status: {} })).toBe(true);
    expect(objectMatchesFieldSelector(ref('Job'), 'status.successful=3', { status: { succeeded: 3 } })).toBe(true);
  });

  it('accepts status.podIPs but never matches a non-empty value (upstream never sets it)', () => {
    const running: Pod = { ...pod('n'), status: { podIPs: [{ ip: '10.0.0.1' }], podIP: '10.0.0.1' } };
    expect(objectMatchesFieldSelector(ref('Pod'), 'status.podIP=10.0.0.1', running)).toBe(true);
    expect(objectMatchesFieldSelector(ref('Pod'), 'status.podIPs=10.0.0.1', running)).toBe(false);
  });
});

describe('field selector properties', () => {
  const fieldArb = fc.constantFrom('metadata.name', 'spec.nodeName', 'status.phase');
  const valueArb = fc.string({ maxLength: 8 });
  const selArb = fc.array(fc.record({ field: fieldArb, operator: fc.constantFrom<'=' | '!='>('=', '!='), value: valueArb }), { maxLength: 4 });

  it('printing then parsing preserves the selector (up to term order)', () => {
    fc.assert(
      fc.property(selArb, (requirements) => {
        const text = fieldSelectorToString({ requirements });
        const parsed = parseFieldSelector(text);
        const key = (r: { field: string; operator: string; value: string }) => `${r.field}${r.operator}${r.value}`;
        expect(parsed.requirements.map(key).sort()).toEqual(requirements.map(key).sort());
      }),
      { numRuns },
    );
  });

  it('matching treats missing fields as empty strings', () => {
    fc.assert(
      fc.property(selArb, fc.dictionary(fieldArb, valueArb), (requirements, fields) => {
        const expected = requirements.every((r) => ((fields[r.field] ?? '') === r.value) === (r.operator === '='));
        expect(fieldsMatch({ requirements }, fields)).toBe(expected);
      }),
      { numRuns },
    );
  });
});
