import { describe, expect, it } from 'vitest';
import { renderSequenceDiagram, sequenceMarkdown } from '../../src/trace/mermaid-sequence.ts';
import { traceItems } from '../../src/trace/message-flow.ts';
import { renderTrace } from '../../src/trace/render.ts';
import { parseTrace, TraceFormatError } from '../../src/trace/trace-file.ts';
import { SMALL_TRACE } from './fixtures/small-trace.ts';

const jsonl = (lines: object[]) => lines.map((line) => JSON.stringify(line)).join('\n');

describe('Mermaid sequence diagrams of a trace', () => {
  it('draws messages between addresses, drops as -x with the reason, lifecycle and faults as notes', () => {
    expect(renderTrace(SMALL_TRACE, { format: 'mermaid' })).toBe(
      [
        'sequenceDiagram',
        '  participant client_0 as client-0',
        '  participant etcd_1 as etcd-1',
        '  participant etcd_2 as etcd-2',
        '  client_0->>etcd_1: 10 etcd.request',
        '  etcd_1->>etcd_2: 11 raft.append',
        '  etcd_1->>etcd_2: 11 raft.append (duplicate)',
        '  etcd_2->>etcd_1: 12.5 raft.appendResp',
        '  etcd_1->>etcd_2: 100–200 raft.heartbeat ×2',
        '  etcd_2->>etcd_1: 101–201 raft.heartbeatResp ×2',
        '  Note over etcd_1,etcd_2: 250 partition p1: etcd-1 | etcd-2',
        '  etcd_1-xetcd_2: 300 raft.heartbeat (dropped: partition)',
        '  Note over client_0,etcd_2: 350 heal p1',
        '  Note over etcd_2: 360 crash (2 unsynced writes lost)',
        '  etcd_1-xetcd_2: 400 raft.heartbeat (dropped: unreachable)',
        '  Note over etcd_2: 450 restart (incarnation 1)',
        '  etcd_1-)client_0: 460 etcd.response (in flight)',
        '',
      ].join('\n'),
    );
  });

  it('caps the arrows, eliding the middle with a note that counts what it hides; shows chosen observations', () => {
    expect(renderTrace(SMALL_TRACE, { format: 'mermaid', maxArrows: 3, observations: ['obs.raft.*'] })).toBe(
      [
        'sequenceDiagram',
        '  participant client_0 as client-0',
        '  participant etcd_1 as etcd-1',
        '  participant etcd_2 as etcd-2',
        '  client_0->>etcd_1: 10 etcd.request',
        '  etcd_1->>etcd_2: 11 raft.append',
        '  Note over client_0,etcd_2: … 8 messages and 5 notes not shown (11–450 ms)',
        '  etcd_1-)client_0: 460 etcd.response (in flight)',
        '',
      ].join('\n'),
    );
    expect(renderTrace(SMALL_TRACE, { format: 'mermaid', from: 10, to: 20, observations: ['obs.raft.leader'] })).toContain(
      '  Note over etcd_1: 14 obs.raft.leader\n',
    );
  });

  it('selects a time window, the messages touching an address, a type, or an object in the payloads', () => {
    expect(renderTrace(SMALL_TRACE, { format: 'mermaid', from: 280, to: 420, addresses: ['etcd-2'], times: false })).toBe(
      [
        'sequenceDiagram',
        '  participant etcd_1 as etcd-1',
        '  participant etcd_2 as etcd-2',
        '  etcd_1-xetcd_2: raft.heartbeat (dropped: partition)',
        '  Note over etcd_1,etcd_2: heal p1',
        '  Note over etcd_2: crash (2 unsynced writes lost)',
        '  etcd_1-xetcd_2: raft.heartbeat (dropped: unreachable)',
        '',
      ].join('\n'),
    );
    const types = renderTrace(SMALL_TRACE, { format: 'mermaid', types: ['raft.append*'], addresses: ['client-*', 'etcd-1'] });
    expect(types.split('\n').filter((line) => line.includes('->>'))).toEqual([
      '  etcd_1->>etcd_2: 11 raft.append',
      '  etcd_1->>etcd_2: 11 raft.append (duplicate)',
      '  etcd_2->>etcd_1: 12.5 raft.appendResp',
    ]);
    const object = renderTrace(SMALL_TRACE, { format: 'mermaid', object: '/registry/pods/default/a' });
    expect(object.split('\n').filter((line) => line.includes('>>'))).toEqual(['  client_0->>etcd_1: 10 etcd.request']);
  });

  it('collapses periodic traffic only while nothing else happens in between', () => {
    const hb = (id: number, t: number) => [
      { t, k: 'send', id, from: 'a', to: 'b', type: 'ping.heartbeat' },
      { t: t + 1, k: 'deliver', id, from: 'a', to: 'b', type: 'ping.heartbeat' },
    ];
    const trace = jsonl([...hb(0, 0), ...hb(1, 10), { t: 15, k: 'send', id: 2, from: 'b', to: 'a', type: 'work' }, { t: 16, k: 'deliver', id: 2, from: 'b', to: 'a', type: 'work' }, ...hb(3, 20), ...hb(4, 30), ...hb(5, 40)]);
    expect(renderTrace(trace, { format: 'mermaid' }).split('\n').slice(3, 6)).toEqual([
      '  a->>b: 0–10 ping.heartbeat ×2',
      '  b->>a: 15 work',
      '  a->>b: 20–40 ping.heartbeat ×3',
    ]);
    expect(renderTrace(trace, { format: 'mermaid', periodic: /^$/ }).split('\n').filter((l) => l.includes('ping'))).toHaveLength(2);
  });

  it('escapes what Mermaid would read as syntax and gives every address a safe participant id', () => {
    const trace = jsonl([
      { t: 1, k: 'send', id: 0, from: 'node-1/kubelet', to: 'end', type: 'odd;type#1' },
      { t: 2, k: 'deliver', id: 0, from: 'node-1/kubelet', to: 'end', type: 'odd;type#1' },
      { t: 3, k: 'send', id: 1, from: 'node_1_kubelet', to: '2nd', type: 'x' },
      { t: 3, k: 'drop', id: 1, from: 'node_1_kubelet', to: '2nd', type: 'x', reason: 'loss' },
    ]);
    expect(renderTrace(trace, { format: 'mermaid' })).toBe(
      [
        'sequenceDiagram',
        '  participant node_1_kubelet as node-1/kubelet',
        '  participant p_end as end',
        '  participant node_1_kubelet_2 as node_1_kubelet',
        '  participant p_2nd as 2nd',
        '  node_1_kubelet->>p_end: 1 odd#59;type#35;1',
        '  node_1_kubelet_2-xp_2nd: 3 x (dropped: loss)',
        '',
      ].join('\n'),
    );
  });

  it('wraps a diagram for Markdown, and renders an empty selection as a bare diagram', () => {
    expect(sequenceMarkdown('sequenceDiagram\n')).toBe('```mermaid\nsequenceDiagram\n```\n');
    expect(renderSequenceDiagram(traceItems([]))).toBe('sequenceDiagram\n');
  });

  it('rejects lines that are not trace lines, naming the line', () => {
    expect(() => parseTrace('{"t":1,"k":"send","id":0,"from":"a","to":"b","type":"x"}\nnot json\n')).toThrow(new TraceFormatError(2, 'not JSON'));
    expect(() => parseTrace('{"t":1,"k":"teleport"}')).toThrow('trace line 1: unknown kind "teleport"');
    expect(() => parseTrace('{"t":1,"k":"deliver","id":0}')).toThrow('trace line 1: a deliver line needs id, from, to and type');
  });
});
