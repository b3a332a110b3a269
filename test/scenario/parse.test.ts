import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { ScenarioError, parseScenario } from '../../src/scenario/parse.ts';
import { parseDuration } from '../../src/scenario/duration.ts';
import { numRuns } from '../fc.ts';

const DEPLOY = `
      apiVersion: apps/v1
      kind: Deployment
      metadata: { name: web }
      spec:
        replicas: 2
        selector: { matchLabels: { app: web } }
        template:
          metadata: { labels: { app: web } }
          spec: { containers: [{ name: nginx, image: "nginx:1.25" }] }`;

function problem(text: string): string {
  try {
    parseScenario(text, { file: 's.yaml', baseDir: '/nonexistent' });
  } catch (error) {
    expect(error).toBeInstanceOf(ScenarioError);
    return (error as Error).message;
  }
  throw new Error('parsed without a problem');
}

describe('scenario parser', () => {
  it('reads every step kind', () => {
    const s = parseScenario(`
name: all-steps
seed: 4
cluster:
  nodes: { count: 2, capacity: { cpu: 8 } }
steps:
  - apply: |${DEPLOY}
  - wait: 1m30s
  - wait: { for: { pods: { selector: app=web, phase: Running, count: 2 } }, timeout: 45s }
  - scale: { target: deployment/web, replicas: 3 }
  - setImage: { target: deployment/web, image: "nginx:1.26" }
  - setImage: { target: deployment/web, images: { nginx: "nginx:1.27" } }
  - rolloutUndo: deployment/web
  - rolloutUndo: { target: deployment/web, toRevision: 1 }
  - delete: pod/x
  - delete: { resource: pods, selector: app=web, limit: 1, wait: false }
  - fault: { crash: node-2 }
  - fault: { restart: node-2 }
  - fault: { partition: { from: [node-1], to: [apiserver-0], oneWay: true }, id: cut }
  - fault: { heal: cut }
  - fault: { degrade: { from: apiserver-0, to: kcm-0, link: { latency: 100-300ms, duplicate: 0.2 }, duration: 10s } }
  - name: placed
    expect:
      pods: { selector: app=web, count: 3, spread: true }
      event: { reason: ScalingReplicaSet, from: deployment-controller }
      within: 10s
  - expect: { events: { sequence: [Scheduled, Pulling] } }
  - expect:
      object:
        target: deployment/web
        fields:
          status.conditions[type=Available].status: "True"
  - expect: { count: { resource: replicasets, count: 2 } }
`, { baseDir: '/tmp' });
    expect(s.name).toBe('all-steps');
    expect(s.seed).toBe(4);
    expect(s.cluster.nodes.map((n) => [n.name, n.capacity?.cpu])).toEqual([['node-1', '8'], ['node-2', '8']]);
    expect(s.steps.map((x) => x.kind)).toEqual([
      'apply', 'wait', 'wait', 'scale', 'setImage', 'setImage', 'rolloutUndo', 'rolloutUndo', 'delete', 'delete',
      'fault', 'fault', 'fault', 'fault', 'fault', 'expect', 'expect', 'expect', 'expect',
    ]);
    expect(s.steps[1]).toMatchObject({ kind: 'wait', durationMs: 90_000 });
    expect(s.steps[2]).toMatchObject({ kind: 'wait', timeoutMs: 45_000, condition: { kind: 'pods' } });
    expect(s.steps[4]).toMatchObject({ images: { '*': 'nginx:1.26' } });
    expect(s.steps[9]).toMatchObject({ kind: 'delete', resource: 'pods', selector: 'app=web', limit: 1, wait: false });
    expect(s.steps[12]).toMatchObject({ fault: { kind: 'partition', id: 'cut', oneWay: true } });
    expect(s.steps[14]).toMatchObject({ fault: { kind: 'degrade', durationMs: 10_000, link: { latency: { kind: 'uniform', minMs: 100, maxMs: 300 }, duplicate: 0.2 } } });
    expect(s.steps[15]).toMatchObject({ kind: 'expect', label: 'placed', withinMs: 10_000, condition: { kind: 'all' } });
  });

  it('names the file, line and field of every problem', () => {
    expect(problem('steps:\n  - jump: 3\n')).toBe('s.yaml:2: steps[0]: a step needs one of: apply, delete, scale, setImage, rolloutUndo, wait, fault, expect');
    expect(problem('steps:\n  - wait: 3x\n')).toBe('s.yaml:2: steps[0].wait: "3x" is not a duration; write e.g. "30s", "1m30s" or "500ms"');
    expect(problem('steps:\n  - scale: { target: deployment/web, replicas: -1 }\n')).toMatch(/^s\.yaml:2: steps\[0\]\.scale\.replicas: must be between 0 and/);
    expect(problem('steps:\n  - delete: widgets/x\n')).toBe('s.yaml:2: steps[0].delete: the server doesn\'t have a resource type "widgets"');
    expect(problem('cluster:\n  nodes:\n    - capacity: { cpu: four }\n')).toBe('s.yaml:3: cluster.nodes[0].capacity.cpu: "four" is not a valid quantity (e.g. "4", "500m", "8Gi")');
    expect(problem('cluster:\n  etcd: { members: 9 }\n')).toBe('s.yaml:2: cluster.etcd.members: must be between 1 and 7, got 9');
    expect(problem('cluster:\n  nodez: 3\n')).toMatch(/^s\.yaml:2: cluster\.nodez: unknown field; expected one of: etcd, apiservers, nodes/);
    expect(problem('steps:\n  - apply: { file: missing.yaml }\n')).toMatch(/^s\.yaml:2: steps\[0\]\.apply\.file: cannot read \/nonexistent\/missing\.yaml: ENOENT/);
    expect(problem('steps:\n  - expect: { pods: { phase: Runing } }\n')).toMatch(/steps\[0\]\.expect\.pods\.phase: must be one of Pending, Running/);
    expect(problem('steps:\n  - expect: { object: { target: deployment/web, fields: { "status..x": 1 } } }\n')).toMatch(/is not a field path/);
    expect(problem('steps:\n  - apply: "a: [1,"\n')).toMatch(/steps\[0\]\.apply: error: error parsing STDIN: document 1/);
    expect(problem('steps: [\n')).toMatch(/^s\.yaml:\d+: not valid YAML/);
    expect(problem('steps:\n  - { wait: 1s, scale: { target: deployment/web, replicas: 1 } }\n')).toBe('s.yaml:2: steps[0]: a step does one thing; found wait and scale');
    expect(problem('cluster:\n  nodes: [{ name: etcd-1 }]\n')).toMatch(/control-plane host name/);
    expect(problem('cluster:\n  nodes: [{ name: a }, { name: a }]\n')).toMatch(/cluster\.nodes\[1\]\.name: duplicate node name "a"/);
    expect(problem('cluster:\n  nodes: [{ taints: ["bad"] }]\n')).toMatch(/is not a taint; write key=value:Effect/);
  });

  it('never crashes on arbitrary input: a ScenarioError or a scenario', () => {
    const yamlish = fc.oneof(
      fc.string(),
      fc.jsonValue().map((v) => JSON.stringify(v)),
      fc.record({ cluster: fc.jsonValue(), steps: fc.array(fc.dictionary(fc.constantFrom('apply', 'wait', 'scale', 'delete', 'fault', 'expect', 'setImage', 'rolloutUndo', 'name'), fc.jsonValue()), { maxLength: 4 }) })
        .map((v) => JSON.stringify(v)),
    );
    fc.assert(fc.property(yamlish, (text) => {
      try {
        parseScenario(text, { baseDir: '/nonexistent' });
      } catch (error) {
        if (!(error instanceof ScenarioError)) throw error;
      }
    }), { numRuns: numRuns(300) });
  });

  it('reads Go-style durations', () => {
    expect(parseDuration('500ms', 'd')).toBe(500);
    expect(parseDuration('1m30s', 'd')).toBe(90_000);
    expect(parseDuration('1.5s', 'd')).toBe(1_500);
    expect(parseDuration('2h', 'd')).toBe(7_200_000);
    expect(parseDuration(250, 'd')).toBe(250);
    expect(() => parseDuration('soon', 'd')).toThrow(/not a duration/);
  });
});
