// `kubesim run`: exit status 0 / 1 / 2, the event stream, --trace, --until, --seed.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { main } from '../../src/cli/main.ts';
import { captureOutput } from '../capture-output.ts';

const dir = mkdtempSync(join(tmpdir(), 'kubesim-run-'));

function scenario(name: string, text: string): string {
  const file = join(dir, `${name}.yaml`);
  writeFileSync(file, text);
  return file;
}

const POD = `
  - apply: |
      apiVersion: v1
      kind: Pod
      metadata: { name: solo, labels: { app: solo } }
      spec: { containers: [{ name: app, image: "nginx:1.25" }] }
`;

/** Runs the command; clears process.exitCode (which `main` reports and commands set) afterwards. */
async function run(...args: string[]) {
  try {
    return await captureOutput(() => main(['run', ...args]));
  } finally {
    process.exitCode = undefined;
  }
}

describe('kubesim run', () => {
  it('exits 1 and says which expectation failed and why', async () => {
    const file = scenario('fails', `name: fails\ncluster: { nodes: { count: 1 } }\nsteps:${POD}
  - expect:
      pods: { selector: app=solo, phase: Running, count: 2 }
      within: 20s
  - expect:
      event: { reason: Pulled, object: pod/solo }
`);
    const { result, stdout } = await run(file);
    expect(result).toBe(1);
    expect(stdout).toMatch(/FAILED steps\[1\]: expected pods app=solo: 2 Running within 20\.00s: want 2 matching, got 1; pods: solo Running Ready on node-1/);
    // The run goes on after a failed expectation: the next one passes.
    expect(stdout).toMatch(/ok: 1× Pulled pod\/solo/);
    expect(stdout).toMatch(/1 failure\(s\):\n  steps\[1\]: expected pods/);
  });

  it('exits 2 on usage errors, with one clear line', async () => {
    const missing = await run(join(dir, 'nope.yaml'));
    expect(missing.result).toBe(2);
    expect(missing.stderr).toMatch(/^kubesim: cannot read .*nope\.yaml: ENOENT\n$/);
    const bad = scenario('bad', 'steps:\n  - scale: { target: deployment, replicas: 1 }\n');
    const invalid = await run(bad);
    expect(invalid.result).toBe(2);
    expect(invalid.stderr).toMatch(/bad\.yaml:2: steps\[0\]\.scale\.target: arguments in resource\/name form must have a single resource and name/);
    const ok = scenario('ok', `steps:${POD}`);
    expect((await run(ok, '--seed', 'x')).result).toBe(2);
    expect((await run(ok, '--until', 'later')).stderr).toMatch(/--until: "later" is not a duration/);
  });

  it('prints the event stream with the FROM column and a failing kubectl step as the error kubectl prints', async () => {
    const file = scenario('events', `cluster: { nodes: { count: 1 } }\nsteps:${POD}
  - wait: { for: { pods: { selector: app=solo, phase: Running } }, timeout: 30s }
  - expectError: "spec.replicas: Invalid value: -1: must be greater than or equal to 0"
    apply: |
      apiVersion: apps/v1
      kind: Deployment
      metadata: { name: bad }
      spec:
        replicas: -1
        selector: { matchLabels: { app: bad } }
        template:
          metadata: { labels: { app: bad } }
          spec: { containers: [{ name: app, image: "nginx:1.25" }] }
  - scale: { target: deployment/missing, replicas: 2 }
`);
    const { result, stdout } = await run(file);
    expect(result).toBe(1);
    expect(stdout).toMatch(/^0s +Normal +Scheduled +pod\/solo +default-scheduler +Successfully assigned default\/solo to node-1$/m);
    expect(stdout).toMatch(/^0s +Normal +Pulling +pod\/solo +kubelet\/node-1 +Pulling image "nginx:1\.25"$/m);
    expect(stdout).toMatch(/Error from server \(Invalid\): error when creating "STDIN": Deployment\.apps "bad" is invalid: spec\.replicas: Invalid value: -1: must be greater than or equal to 0 {2}\(expected\)/);
    expect(stdout).toMatch(/FAILED steps\[3\]: Error from server \(NotFound\): deployments\.apps "missing" not found/);
  });

  it('--trace writes the same JSONL for the same seed; --until ends the run at that virtual time', async () => {
    const file = scenario('traced', `cluster: { nodes: { count: 1 } }\nsteps:${POD}  - wait: 10m\n`);
    const [a, b] = [join(dir, 'a.jsonl'), join(dir, 'b.jsonl')];
    const first = await run(file, '--seed', '5', '--trace', a, '--until', '20s', '--no-events');
    expect(first.result).toBe(0);
    await run(file, '--seed', '5', '--trace', b, '--until', '20s', '--no-events');
    const trace = readFileSync(a, 'utf8');
    expect(trace.length).toBeGreaterThan(10_000);
    expect(readFileSync(b, 'utf8')).toBe(trace);
    const last = JSON.parse(trace.trimEnd().split('\n').at(-1)!) as { t: number };
    expect(last.t).toBeLessThanOrEqual(20_000);
    expect(first.stdout).toMatch(/\[ +20\.00s\] done: 2\/2 steps/);
    expect(first.stdout).not.toMatch(/LAST SEEN/);
  });

  it('a fault step crashes and restarts components, and lands in the trace', async () => {
    const file = scenario('faulty', `cluster: { nodes: { count: 2 } }\nsteps:
  - fault: { crash: node-2 }
  - wait: 5s
  - fault: { partition: { from: [node-1], to: [apiserver-0] }, id: cut }
  - wait: 5s
  - fault: { heal: cut }
  - fault: { restart: node-2 }
  - wait: 5s
`);
    const trace = join(dir, 'faulty.jsonl');
    const { result, stdout } = await run(file, '--trace', trace, '--no-events');
    expect(result).toBe(0);
    expect(stdout).toMatch(/# fault: crash node-2/);
    const faults = readFileSync(trace, 'utf8').split('\n').filter((l) => l.includes('"k":"fault"')).map((l) => JSON.parse(l).fault);
    expect(faults).toEqual([
      expect.objectContaining({ kind: 'crash', target: 'node-2/containerd' }),
      expect.objectContaining({ kind: 'crash', target: 'node-2/kubelet' }),
      expect.objectContaining({ kind: 'crash', target: 'node-2/kube-proxy' }),
      expect.objectContaining({ kind: 'partition', id: 'cut', from: ['node-1'], to: ['apiserver-0'] }),
      expect.objectContaining({ kind: 'heal', id: 'cut' }),
      expect.objectContaining({ kind: 'restart', target: 'node-2/containerd' }),
      expect.objectContaining({ kind: 'restart', target: 'node-2/kubelet' }),
      expect.objectContaining({ kind: 'restart', target: 'node-2/kube-proxy' }),
    ]);
  });
});
