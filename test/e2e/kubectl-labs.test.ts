import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { E2E_KUBECTL_VERSIONS, expectOk, kubectlBinary, startE2eCluster, type E2eCluster, type Run } from './kubesim-up.ts';

/**
 * The labs of the architecture guides (`../shared/seeds/`), typed as a user types them, with real kubectl
 * 1.29, 1.31 and 1.33 (each skipped when its binary is missing) against `kubesim up` on the real-time
 * clock. The namespaced labs of the three versions run at the same time, each in its own namespace; the
 * node labs (taint, label, cordon, drain) change shared nodes, so they run afterwards, one version at a
 * time, each leaving the nodes as it found them. Waits are real seconds: poll often, give up after a
 * bounded time.
 */

const VERSIONS = E2E_KUBECTL_VERSIONS;
const NODES = ['node-1', 'node-2', 'node-3'];

let e2e: E2eCluster;

beforeAll(async () => {
  e2e = await startE2eCluster();
}, 90_000);

afterAll(async () => {
  await e2e?.stop();
});

const ok = expectOk;

// kubectl ≤ 1.30 colours `cluster-info` even when its output is not a terminal.
const plain = (s: string) => s.replace(/\x1b\[[0-9;]*m/g, '');

async function poll<T>(probe: () => Promise<T | undefined>, timeoutMs: number, what: string): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`${what}: not within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

interface PodRow {
  name: string;
  ready: string;
  status: string;
  ip: string;
  node: string;
}

/** `get pods -o wide --no-headers` rows: NAME READY STATUS RESTARTS AGE IP NODE NOMINATED READINESS. */
function podRows(out: string): PodRow[] {
  return out.trim().split('\n').filter(Boolean).map((line) => {
    const f = line.split(/\s+/);
    return { name: f[0], ready: f[1], status: f[2], ip: f[5], node: f[6] };
  });
}

const bigPod = (namespace: string) => `apiVersion: v1
kind: Pod
metadata:
  name: big
  namespace: ${namespace}
spec:
  containers:
  - name: app
    image: nginx:1.25
    resources:
      requests:
        cpu: "100"
`;

/** What each version's tests share: its binary, namespace, image and kubectl shorthands. */
function lab(version: string, index: number) {
  const bin = kubectlBinary(version);
  const ns = `labs-${version.replace('.', '-')}`;
  // An image of its own per version, so that each version's pods are seen pulling it (not "already present").
  const image = `nginx:1.25.${3 + index}`;
  const k = (...args: string[]) => e2e.kubectl(bin!, args);
  const kn = (...args: string[]) => e2e.kubectl(bin!, [...args, '-n', ns]);
  /** The deployment's pods once all three run (terminating ones excluded). */
  const runningWeb = () => poll(async () => {
    const rows = podRows(ok(await kn('get', 'pods', '-l', 'app=web', '-o', 'wide', '--no-headers'), true));
    return rows.length === 3 && rows.every((r) => r.status === 'Running' && r.ready === '1/1') ? rows : undefined;
  }, 60_000, 'three web pods Running');
  return { bin, ns, image, k, kn, runningWeb };
}

// The namespaced labs spend their time waiting for real-time rollouts: the three versions run at once,
// each in its own namespace, its own steps in order.
const step = it.sequential;

describe.concurrent('the namespaced labs, all versions at once', () => {
  VERSIONS.forEach((version, index) => {
    const { bin, ns, image, k, kn, runningWeb } = lab(version, index);
    (bin ? describe.concurrent : describe.skip)(`kubectl ${version}`, () => {
      beforeAll(async () => {
        const res = await fetch(`${e2e.running.door.url}/api/v1/namespaces`, {
          method: 'POST', headers: { 'Content-Type': 'application/json' },
          body: JSON.stringify({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns } }),
        });
        expect(res.status).toBe(201);
      });

      step('cluster-info', async () => {
        const out = plain(ok(await k('cluster-info')));
        expect(out).toContain(`Kubernetes control plane is running at ${e2e.running.door.url}`);
      });

      step('get nodes -o wide', async () => {
        const out = ok(await k('get', 'nodes', '-o', 'wide'));
        expect(out).toMatch(/^NAME\s+STATUS\s+ROLES\s+AGE\s+VERSION\s+INTERNAL-IP\s+EXTERNAL-IP\s+OS-IMAGE\s+KERNEL-VERSION\s+CONTAINER-RUNTIME$/m);
        NODES.forEach((node, i) => {
          expect(out).toMatch(new RegExp(`^${node}\\s+Ready\\s+<none>\\s+\\S+\\s+v1\\.\\d+\\.\\d+\\s+172\\.18\\.0\\.${i + 2}\\s+<none>\\s+.+\\s+containerd://\\S+$`, 'm'));
        });
      });

      step('create deployment --replicas=3, pods spread with IPs from their node\'s CIDR', async () => {
        expect(ok(await kn('create', 'deployment', 'web', `--image=${image}`, '--replicas=3')).trim()).toBe('deployment.apps/web created');
        expect(ok(await kn('rollout', 'status', 'deployment/web', '--timeout=60s'))).toContain('deployment "web" successfully rolled out');
        const header = ok(await kn('get', 'pods', '-o', 'wide')).split('\n')[0];
        expect(header).toMatch(/^NAME\s+READY\s+STATUS\s+RESTARTS\s+AGE\s+IP\s+NODE\s+NOMINATED NODE\s+READINESS GATES$/);
        const rows = await runningWeb();
        for (const row of rows) {
          expect(row.name).toMatch(/^web-[a-z0-9]{8,10}-[a-z0-9]{5}$/);
          const n = /^node-(\d+)$/.exec(row.node)?.[1];
          expect(row.ip).toMatch(new RegExp(`^10\\.244\\.${n}\\.\\d+$`));
        }
        // Three replicas over three empty, equal nodes: the scheduler's default spreading.
        expect(new Set(rows.map((r) => r.node)).size).toBe(3);
      }, 90_000);

      step('describe pod shows the Events table', async () => {
        const pod = (await runningWeb())[0];
        const out = ok(await kn('describe', 'pod', pod.name));
        expect(out).toMatch(new RegExp(`^Name:\\s+${pod.name}$`, 'm'));
        expect(out).toMatch(new RegExp(`^Node:\\s+${pod.node}/172\\.18\\.0\\.\\d+$`, 'm'));
        expect(out).toMatch(/^Status:\s+Running$/m);
        expect(out).toMatch(/^Controlled By:\s+ReplicaSet\/web-/m);
        expect(out).toMatch(/^ {2}Type\s+Reason\s+Age\s+From\s+Message$/m);
        expect(out).toMatch(new RegExp(`^ {2}Normal\\s+Scheduled\\s+\\S+\\s+default-scheduler\\s+Successfully assigned ${ns}/${pod.name} to ${pod.node}$`, 'm'));
        expect(out).toMatch(/^ {2}Normal\s+Pulling\s+\S+\s+kubelet\s+Pulling image "nginx:1\.25\.\d"$/m);
        expect(out).toMatch(/^ {2}Normal\s+Started\s+\S+\s+kubelet\s+Started container nginx$/m);
      });

      step('get pods -w sees a deleted pod replaced', async () => {
        const before = (await runningWeb()).map((r) => r.name);
        const watch = e2e.spawnKubectl(bin!, ['get', 'pods', '-n', ns, '-l', 'app=web', '-w']);
        try {
          await watch.until((out) => before.every((name) => out.includes(name)), 20_000);
          expect(ok(await kn('delete', 'pod', before[0], '--wait=false')).trim()).toBe(`pod "${before[0]}" deleted`);
          const replaced = (out: string) => out.split('\n').some((line) => /^web-\S+\s+1\/1\s+Running\s/.test(line) && !before.includes(line.split(/\s+/)[0]));
          const out = await watch.until(replaced, 30_000);
          expect(out.split('\n')[0]).toMatch(/^NAME\s+READY\s+STATUS\s+RESTARTS\s+AGE$/);
          expect(out).toMatch(new RegExp(`^${before[0]}\\s+\\S+\\s+Terminating\\s`, 'm'));
          expect(out).toMatch(/^web-\S+\s+0\/1\s+(Pending|ContainerCreating)\s/m);
        } finally {
          await watch.stop();
        }
        await runningWeb();
      }, 60_000);

      step('get events --sort-by=.metadata.creationTimestamp', async () => {
        const sort = '--sort-by=.metadata.creationTimestamp';
        const table = ok(await kn('get', 'events', sort));
        const lines = table.trim().split('\n');
        expect(lines[0]).toMatch(/^LAST SEEN\s+TYPE\s+REASON\s+OBJECT\s+MESSAGE$/);
        expect(table).toMatch(/^\S+\s+Normal\s+ScalingReplicaSet\s+deployment\/web\s+Scaled up replica set web-\S+ (from 0 )?to 3$/m);
        expect(table).toMatch(/^\S+\s+Normal\s+SuccessfulCreate\s+replicaset\/web-\S+\s+Created pod: web-/m);
        expect(table).toMatch(/^\S+\s+Normal\s+Killing\s+pod\/web-\S+\s+Stopping container nginx$/m);
        const stamps = ok(await kn('get', 'events', sort, '-o', 'jsonpath={range .items[*]}{.metadata.creationTimestamp}{"\\n"}{end}')).trim().split('\n');
        expect(stamps.length).toBe(lines.length - 1);
        expect([...stamps].sort()).toEqual(stamps);
      });

      step('set image, rollout undo', async () => {
        const current = () => kn('get', 'deployment', 'web', '-o', 'jsonpath={.spec.template.spec.containers[0].image}');
        expect(ok(await kn('set', 'image', 'deployment/web', 'nginx=nginx:1.26')).trim()).toBe('deployment.apps/web image updated');
        expect(ok(await kn('rollout', 'status', 'deployment/web', '--timeout=60s'))).toContain('successfully rolled out');
        expect(ok(await current())).toBe('nginx:1.26');
        expect(ok(await kn('rollout', 'undo', 'deployment/web')).trim()).toBe('deployment.apps/web rolled back');
        expect(ok(await kn('rollout', 'status', 'deployment/web', '--timeout=60s'))).toContain('successfully rolled out');
        expect(ok(await current())).toBe(image);
        // The first revision's ReplicaSet is reused and becomes revision 3, as upstream.
        const history = ok(await kn('rollout', 'history', 'deployment/web'));
        expect(history.trim().split('\n').slice(2).map((l) => l.split(/\s+/)[0])).toEqual(['2', '3']);
        const hashes = ok(await kn('get', 'rs', '-l', 'app=web', '-o', 'jsonpath={.items[*].metadata.labels.pod-template-hash}')).split(' ');
        expect(hashes).toHaveLength(2);
        const images = ok(await kn('get', 'pods', '-l', 'app=web', '-o', 'jsonpath={.items[*].spec.containers[0].image}'));
        await poll(async () => {
          const now = ok(await kn('get', 'pods', '-l', 'app=web', '-o', 'jsonpath={.items[*].spec.containers[0].image}'));
          return now.split(' ').every((i) => i === image) ? now : undefined;
        }, 30_000, `old pods gone (${images})`);
      }, 150_000);

      step('expose, get svc, get endpoints, describe svc', async () => {
        expect(ok(await kn('expose', 'deployment', 'web', '--port', '80')).trim()).toBe('service/web exposed');
        const svc = ok(await kn('get', 'svc'));
        expect(svc).toMatch(/^NAME\s+TYPE\s+CLUSTER-IP\s+EXTERNAL-IP\s+PORT\(S\)\s+AGE$/m);
        const clusterIp = /^web\s+ClusterIP\s+(10\.\d+\.\d+\.\d+)\s+<none>\s+80\/TCP\s+\S+$/m.exec(svc)?.[1];
        expect(clusterIp).toBeDefined();
        const pods = await runningWeb();
        const want = pods.map((p) => `${p.ip}:80`).sort();
        const endpoints = await poll(async () => {
          const out = ok(await kn('get', 'endpoints', 'web', '--no-headers'));
          const listed = /^web\s+(\S+)\s+\S+$/m.exec(out)?.[1].split(',').sort();
          return JSON.stringify(listed) === JSON.stringify(want) ? out : undefined;
        }, 20_000, 'endpoints of the three pods');
        expect(endpoints).toBeTruthy();
        const described = ok(await kn('describe', 'svc', 'web'));
        expect(described).toMatch(/^Selector:\s+app=web$/m);
        expect(described).toMatch(/^Type:\s+ClusterIP$/m);
        expect(described).toMatch(new RegExp(`^IP:\\s+${clusterIp!.replace(/\./g, '\\.')}$`, 'm'));
        expect(described).toMatch(/^Port:\s+<unset>\s+80\/TCP$/m);
        expect(described).toMatch(/^TargetPort:\s+80\/TCP$/m);
        const listed = /^Endpoints:\s+(\S+)$/m.exec(described)?.[1].split(',').sort();
        expect(listed).toEqual(want);
      }, 60_000);

      step('logs, and logs -f', async () => {
        const pod = (await runningWeb())[0];
        const logs = ok(await kn('logs', pod.name));
        expect(logs).toContain('/docker-entrypoint.sh: Configuration complete; ready for start up');
        expect(logs).toMatch(/\[notice\] 1#1: nginx\/1\.25\.\d+/);
        const follow = e2e.spawnKubectl(bin!, ['logs', '-f', pod.name, '-n', ns]);
        try {
          const out = await follow.until((o) => o.includes('start worker process'), 20_000);
          expect(out.startsWith(logs.slice(0, 40))).toBe(true);
        } finally {
          await follow.stop();
        }
      }, 60_000);

      step('a Pod requesting cpu: "100" stays Pending with FailedScheduling', async () => {
        expect(ok(await k('apply', '-f', e2e.file(`${ns}-big.yaml`, bigPod(ns)))).trim()).toBe('pod/big created');
        const described = await poll(async () => {
          const out = ok(await kn('describe', 'pod', 'big'));
          return /FailedScheduling/.test(out) ? out : undefined;
        }, 30_000, 'FailedScheduling in describe');
        expect(described).toMatch(/^Status:\s+Pending$/m);
        expect(described).toMatch(/^ {2}Warning\s+FailedScheduling\s+\S+\s+default-scheduler\s+0\/3 nodes are available: 3 Insufficient cpu\./m);
        expect(ok(await kn('get', 'pod', 'big', '--no-headers'))).toMatch(/^big\s+0\/1\s+Pending\s+0\s/);
        expect(ok(await kn('delete', 'pod', 'big')).trim()).toBe('pod "big" deleted');
      }, 60_000);
    });
  });
});

// Taints, labels, cordons and drains change nodes every version shares: one version after the other,
// once the namespaced labs are done (a drain evicts every namespace's pods).
describe('the node labs, one version after the other', () => {
  VERSIONS.forEach((version, index) => {
    const { bin, ns, k, runningWeb } = lab(version, index);
    describe.skipIf(!bin)(`kubectl ${version}`, () => {
      it('taint a node, and remove the taint', async () => {
        const taints = () => k('get', 'node', 'node-1', '-o', 'jsonpath={.spec.taints}');
        expect(ok(await k('taint', 'nodes', 'node-1', 'dedicated=database:NoSchedule')).trim()).toBe('node/node-1 tainted');
        expect(JSON.parse(ok(await taints()))).toEqual([{ key: 'dedicated', value: 'database', effect: 'NoSchedule' }]);
        expect(ok(await k('describe', 'node', 'node-1'))).toMatch(/^Taints:\s+dedicated=database:NoSchedule$/m);
        expect(ok(await k('taint', 'nodes', 'node-1', 'dedicated=database:NoSchedule-')).trim()).toBe('node/node-1 untainted');
        expect(ok(await taints())).toBe('');
      });

      it('label a node, select by it, remove the label', async () => {
        expect(ok(await k('label', 'node', 'node-2', 'disktype=ssd')).trim()).toBe('node/node-2 labeled');
        expect(ok(await k('get', 'nodes', '-l', 'disktype=ssd', '-o', 'name')).trim()).toBe('node/node-2');
        expect(ok(await k('get', 'node', 'node-2', '--show-labels'))).toMatch(/disktype=ssd/);
        expect(ok(await k('label', 'node', 'node-2', 'disktype-')).trim()).toBe('node/node-2 unlabeled');
        expect(ok(await k('get', 'nodes', '-l', 'disktype=ssd', '-o', 'name'), true).trim()).toBe('');
      });

      it('cordon and uncordon', async () => {
        expect(ok(await k('cordon', 'node-3')).trim()).toBe('node/node-3 cordoned');
        expect(ok(await k('get', 'nodes'))).toMatch(/^node-3\s+Ready,SchedulingDisabled\s/m);
        expect(ok(await k('get', 'node', 'node-3', '-o', 'jsonpath={.spec.unschedulable}'))).toBe('true');
        expect(ok(await k('uncordon', 'node-3')).trim()).toBe('node/node-3 uncordoned');
        expect(ok(await k('get', 'nodes'))).toMatch(/^node-3\s+Ready\s/m);
      });

      it('drain evicts the pods, which are rescheduled elsewhere', async () => {
        const node = (await runningWeb())[0].node;
        const run = await k('drain', node, '--ignore-daemonsets', '--delete-emptydir-data', '--timeout=60s');
        try {
          const out = ok(run);
          expect(out).toMatch(new RegExp(`^node/${node} cordoned$`, 'm'));
          expect(out).toMatch(new RegExp(`^evicting pod ${ns}/web-`, 'm'));
          expect(out).toMatch(/^pod\/web-\S+ evicted$/m);
          expect(out).toMatch(new RegExp(`^node/${node} drained$`, 'm'));
          const rows = await runningWeb();
          expect(rows.every((r) => r.node !== node)).toBe(true);
          expect(ok(await k('get', 'node', node, '--no-headers'))).toMatch(new RegExp(`^${node}\\s+Ready,SchedulingDisabled\\s`));
        } finally {
          expect(ok(await k('uncordon', node)).trim()).toBe(`node/${node} uncordoned`);
        }
      }, 120_000);
    });
  });
});
