import { describe, expect, it } from 'vitest';
import {
  buildSnapshot,
  failedSchedulingEvent,
  formatFitError,
  isUnschedulable,
  scheduledEvent,
  scheduledMessage,
  schedulePod,
  truncateMessage,
  type ScheduleResult,
} from '../../src/scheduler/index.ts';
import { boundTo, makeNode, makePod, noRand } from './builders.ts';

function unschedulable(r: ScheduleResult) {
  if (!isUnschedulable(r)) throw new Error(`expected unschedulable, got ${JSON.stringify(r)}`);
  return r;
}

describe('FailedScheduling message', () => {
  it('cpu: "100" on 3 nodes, exactly as kube-scheduler 1.30 prints it', () => {
    const nodes = ['node-1', 'node-2', 'node-3'].map((n) => makeNode(n));
    const r = unschedulable(schedulePod(makePod('big', { cpu: '100' }), buildSnapshot({ nodes }), noRand));
    expect(r.message).toBe(
      '0/3 nodes are available: 3 Insufficient cpu. preemption: 0/3 nodes are available: 3 No preemption victims found for incoming pod..',
    );
    expect([...r.diagnosis.unschedulablePlugins]).toEqual(['NodeResourcesFit']);
    expect(r.preemption.kind).toBe('no-candidates');
  });

  it('mixed reasons: histogram counted per reason and sorted as strings', () => {
    const nodes = [
      makeNode('cp', { labels: { tier: 'web' }, taints: [{ key: 'node-role.kubernetes.io/control-plane', effect: 'NoSchedule' }] }),
      makeNode('w1', { labels: { tier: 'web' }, memory: '1Gi' }),
      makeNode('w2', { labels: { tier: 'web' }, memory: '1Gi' }),
      makeNode('d1', { labels: { tier: 'db' } }),
      makeNode('d2', { labels: { tier: 'db' } }),
    ];
    const pod = makePod('web', { memory: '2Gi', nodeSelector: { tier: 'web' } });
    const r = unschedulable(schedulePod(pod, buildSnapshot({ nodes }), noRand));
    expect(formatFitError(r.numAllNodes, { nodeToStatus: r.diagnosis.nodeToStatus })).toBe(
      "0/5 nodes are available: 1 node(s) had untolerated taint {node-role.kubernetes.io/control-plane: }, 2 Insufficient memory, 2 node(s) didn't match Pod's node affinity/selector.",
    );
    // Taints and affinity are unresolvable, so preemption only considers the two small nodes.
    expect(r.message).toBe(
      "0/5 nodes are available: 1 node(s) had untolerated taint {node-role.kubernetes.io/control-plane: }, 2 Insufficient memory, 2 node(s) didn't match Pod's node affinity/selector. preemption: 0/5 nodes are available: 2 No preemption victims found for incoming pod, 3 Preemption is not helpful for scheduling..",
    );
  });

  it('sorts "10 ..." before "2 ..." (Go sort.Strings on the rendered entries)', () => {
    const statuses = new Map<string, { reasons: string[] }>();
    for (let i = 0; i < 10; i++) statuses.set(`a${i}`, { reasons: ['Insufficient memory'] });
    statuses.set('b0', { reasons: ['Insufficient cpu'] });
    statuses.set('b1', { reasons: ['Insufficient cpu'] });
    expect(formatFitError(12, { nodeToStatus: statuses })).toBe('0/12 nodes are available: 10 Insufficient memory, 2 Insufficient cpu.');
  });

  it('one node with several shortfalls counts each', () => {
    const r = unschedulable(schedulePod(makePod('p', { cpu: '8', memory: '16Gi' }), buildSnapshot({ nodes: [makeNode('n1')] }), noRand));
    expect(r.message).toBe(
      '0/1 nodes are available: 1 Insufficient cpu, 1 Insufficient memory. preemption: 0/1 nodes are available: 1 No preemption victims found for incoming pod..',
    );
  });

  it('PreFilter rejection replaces the histogram', () => {
    const pod = makePod('p', {
      affinity: {
        nodeAffinity: {
          requiredDuringSchedulingIgnoredDuringExecution: {
            nodeSelectorTerms: [
              {
                matchFields: [
                  { key: 'metadata.name', operator: 'In', values: ['n1'] },
                  { key: 'metadata.name', operator: 'In', values: ['n2'] },
                ],
              },
            ],
          },
        },
      },
    });
    const r = unschedulable(schedulePod(pod, buildSnapshot({ nodes: [makeNode('n1'), makeNode('n2')] }), noRand));
    expect(r.message).toBe(
      '0/2 nodes are available: pod affinity terms conflict. preemption: 0/2 nodes are available: 2 Preemption is not helpful for scheduling..',
    );
  });

  it('preemptionPolicy: Never', () => {
    const r = unschedulable(schedulePod(makePod('p', { cpu: '100', preemptionPolicy: 'Never' }), buildSnapshot({ nodes: [makeNode('n1')] }), noRand));
    expect(r.message).toBe('0/1 nodes are available: 1 Insufficient cpu. preemption: not eligible due to preemptionPolicy=Never..');
  });

  it('victims that would not make room: the filter reason after removing them', () => {
    const low = boundTo(makePod('low', { cpu: '1', priority: -10 }), 'n1');
    const r = unschedulable(schedulePod(makePod('p', { cpu: '5', priority: 100 }), buildSnapshot({ nodes: [makeNode('n1')], pods: [low] }), noRand));
    expect(r.message).toBe('0/1 nodes are available: 1 Insufficient cpu. preemption: 0/1 nodes are available: 1 Insufficient cpu..');
  });

  it('victims that would make room: upstream preempts (not modelled) and adds no preemption text', () => {
    const low = boundTo(makePod('low', { cpu: '3', priority: -10 }), 'n1');
    const r = unschedulable(schedulePod(makePod('p', { cpu: '2', priority: 100 }), buildSnapshot({ nodes: [makeNode('n1')], pods: [low] }), noRand));
    expect(r.preemption).toEqual({ kind: 'candidates', nodes: ['n1'] });
    expect(r.message).toBe('0/1 nodes are available: 1 Insufficient cpu.');
  });

  it('no nodes at all is an error, not a FitError', () => {
    expect(schedulePod(makePod('p'), buildSnapshot({ nodes: [] }), noRand)).toEqual({ error: 'no nodes available to schedule pods', nextStartNodeIndex: 0 });
  });

  it('event notes are cut to 1024 bytes with " ..."', () => {
    const long = 'x'.repeat(2000);
    const cut = truncateMessage(long);
    expect(cut.length).toBe(1024);
    expect(cut.endsWith('x ...')).toBe(true);
    expect(failedSchedulingEvent('short')).toEqual({ type: 'Warning', reason: 'FailedScheduling', action: 'Scheduling', note: 'short' });
  });
});

describe('Scheduled message', () => {
  it('Successfully assigned <ns>/<name> to <node>', () => {
    const pod = makePod('web-7d4b8c6f5-x2p9k');
    expect(scheduledMessage(pod, 'node-2')).toBe('Successfully assigned default/web-7d4b8c6f5-x2p9k to node-2');
    expect(scheduledEvent(pod, 'node-2')).toEqual({
      type: 'Normal',
      reason: 'Scheduled',
      action: 'Binding',
      note: 'Successfully assigned default/web-7d4b8c6f5-x2p9k to node-2',
    });
  });
});
