import type { Event } from 'kubernetes-types/core/v1.js';
import { describe, expect, it } from 'vitest';
import { EventPrinter, eventSource, lastSeen } from '../../src/scenario/event-printer.ts';
import { rfc3339 } from '../../src/kubelet/format.ts';

function event(extra: Partial<Event> = {}): Event {
  return {
    metadata: { name: 'e', namespace: 'default' },
    involvedObject: { kind: 'Pod', name: 'web-1', namespace: 'default' },
    reason: 'Pulling', message: 'Pulling image "nginx:1.25"', type: 'Normal',
    source: { component: 'kubelet', host: 'node-2' },
    firstTimestamp: rfc3339(10_000), lastTimestamp: rfc3339(10_000), count: 1,
    ...extra,
  };
}

describe('the kubectl get events --watch printer', () => {
  it('prints LAST SEEN, TYPE, REASON, OBJECT, FROM, MESSAGE with the node in FROM', () => {
    const lines: string[] = [];
    const printer = new EventPrinter((l) => lines.push(l));
    printer.header();
    printer.print(event(), 12_000);
    printer.print(event({ source: { component: 'default-scheduler' }, reason: 'Scheduled', message: 'Successfully assigned default/web-1 to node-2' }), 12_000);
    expect(lines[0]).toMatch(/^LAST SEEN +TYPE +REASON +OBJECT +FROM +MESSAGE$/);
    expect(lines[1]).toMatch(/^2s +Normal +Pulling +pod\/web-1 +kubelet\/node-2 +Pulling image "nginx:1\.25"$/);
    expect(lines[2]).toMatch(/^2s +Normal +Scheduled +pod\/web-1 +default-scheduler +Successfully assigned/);
    // Columns line up.
    expect(lines[1].indexOf('Pulling ')).toBe(lines[0].indexOf('REASON'));
    expect(lines[2].indexOf('pod/web-1')).toBe(lines[0].indexOf('OBJECT'));
  });

  it('shows repeats as kubectl does: (xN over <age>)', () => {
    expect(lastSeen(event({ count: 4, firstTimestamp: rfc3339(0), lastTimestamp: rfc3339(100_000) }), 130_000)).toBe('30s (x4 over 2m10s)');
    expect(lastSeen(event({ lastTimestamp: undefined, firstTimestamp: undefined }), 0)).toBe('<unknown>');
  });

  it('names the reporting component of events.k8s.io-style events too', () => {
    expect(eventSource(event({ source: undefined, reportingComponent: 'default-scheduler' }))).toBe('default-scheduler');
    expect(eventSource(event({ source: { component: 'deployment-controller' } }))).toBe('deployment-controller');
  });
});
