import type { NodeCondition } from 'kubernetes-types/core/v1.js';
import { describe, expect, it } from 'vitest';
import { parseTimestamp, rfc3339 } from '../../src/kubelet/format.ts';
import { core, patch } from '../apiserver/harness.ts';
import { NodeHarness } from './harness.ts';

const ready = (h: NodeHarness) => h.node()!.status!.conditions!.find((c) => c.type === 'Ready')!;

/** Overwrite the Node's conditions as another writer would (merge patch: the list is replaced). */
function writeConditions(h: NodeHarness, edit: (conditions: NodeCondition[]) => NodeCondition[]): void {
  const conditions = edit(h.node()!.status!.conditions!);
  const r = h.call(patch(core('nodes'), undefined, 'node-1', 'application/merge-patch+json', { status: { conditions } }, 'status'));
  expect(r.code).toBe(200);
}

describe('kubelet actor: node status is compared with the apiserver\'s copy (tryUpdateNodeStatus)', () => {
  it('puts Ready back to True within one update period after the node lifecycle controller wrote Unknown', () => {
    const h = new NodeHarness();
    h.run(60_000);
    const heartbeat = parseTimestamp(ready(h).lastHeartbeatTime!);
    // What the node lifecycle controller writes when it stops hearing from a node (tryUpdateNodeHealth).
    const overwrittenAt = h.now;
    writeConditions(h, (cs) => cs.map((c) => ({ ...c, status: 'Unknown', reason: 'NodeStatusUnknown', message: 'Kubelet stopped posting node status.', lastTransitionTime: rfc3339(overwrittenAt) })));
    expect(ready(h).status).toBe('Unknown');
    let waited = 0;
    while (ready(h).status !== 'True' && waited < 30_000) {
      h.run(500);
      waited += 500;
    }
    // One nodeStatusUpdateFrequency (10 s, +4 % jitter) and the GET/PATCH round trips: not the 5-minute report.
    expect(waited).toBeLessThanOrEqual(11_000);
    expect(ready(h)).toMatchObject({ status: 'True', reason: 'KubeletReady', message: 'kubelet is posting ready status' });
    // A transition (from the apiserver's Unknown), with a fresh heartbeat; the other conditions are back too.
    expect(parseTimestamp(ready(h).lastTransitionTime!)).toBeGreaterThan(overwrittenAt);
    expect(parseTimestamp(ready(h).lastHeartbeatTime!)).toBeGreaterThan(heartbeat);
    expect(h.node()!.status!.conditions!.map((c) => [c.type, c.status])).toEqual([
      ['MemoryPressure', 'False'], ['DiskPressure', 'False'], ['PIDPressure', 'False'], ['Ready', 'True'],
    ]);
  });

  it('keeps a condition another component owns, and does not patch again while nothing changed', () => {
    const h = new NodeHarness();
    h.run(30_000);
    const network: NodeCondition = { type: 'NetworkUnavailable', status: 'False', reason: 'RouteCreated', message: 'RouteController created a route', lastHeartbeatTime: rfc3339(h.now), lastTransitionTime: rfc3339(h.now) };
    writeConditions(h, (cs) => [...cs, network]);
    const rv = h.node()!.metadata!.resourceVersion;
    // Every 10 s the kubelet GETs the Node; its status equals the apiserver's copy (heartbeats aside): no write.
    h.run(120_000);
    expect(h.node()!.metadata!.resourceVersion).toBe(rv);
    expect(h.node()!.status!.conditions!.find((c) => c.type === 'NetworkUnavailable')).toEqual(network);
    // A change the kubelet owns (the controller's Unknown) is corrected, and the foreign condition stays.
    writeConditions(h, (cs) => cs.map((c) => (c.type === 'Ready' ? { ...c, status: 'Unknown', reason: 'NodeStatusUnknown' } : c)));
    h.run(11_000);
    expect(ready(h).status).toBe('True');
    expect(h.node()!.status!.conditions!.find((c) => c.type === 'NetworkUnavailable')).toEqual(network);
  });
});
