import { afterAll, beforeAll, describe, expect, it as vitestIt } from 'vitest';
import { E2E_KUBECTL_VERSIONS, expectOk, kubectlBinary, startE2eCluster, type E2eCluster, type Run } from './kubesim-up.ts';

/**
 * Real kubectl (1.29, 1.31, 1.33 — each skipped when its binary is missing) against `kubesim up`.
 * Each version works in its own namespace so the three runs do not see each other's objects.
 */

const VERSIONS = E2E_KUBECTL_VERSIONS;

let e2e: E2eCluster;

beforeAll(async () => {
  e2e = await startE2eCluster();
}, 90_000);

afterAll(async () => {
  await e2e?.stop();
});

const ok = expectOk;

const manifest = (namespace: string, value: string) => `apiVersion: v1
kind: ConfigMap
metadata:
  name: applied
  namespace: ${namespace}
  labels:
    app: demo
data:
  setting: "${value}"
`;

const deployment = (namespace: string, image: string) => `apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  namespace: ${namespace}
spec:
  replicas: 3
  selector:
    matchLabels: {app: web}
  template:
    metadata:
      labels: {app: web}
    spec:
      containers:
      - name: web
        image: ${image}
`;

// Each version's tests run in order; the versions (in their own namespaces) run at the same time, as the
// rollouts they wait for take real seconds.
const it = vitestIt.sequential;

describe.concurrent('kubectl, all versions at once', () => {
  for (const version of VERSIONS) {
    const bin = kubectlBinary(version);
    const ns = `e2e-${version.replace('.', '-')}`;
    (bin ? describe.concurrent : describe.skip)(`kubectl ${version}`, () => {
      const k = (...args: string[]) => e2e.kubectl(bin!, args);

      beforeAll(async () => {
        // Made over HTTP so the namespace exists whatever this kubectl sends for `create namespace`.
        const res = await fetch(`${e2e.running.door.url}/api/v1/namespaces`, {
          method: 'POST', headers: { 'Content-Type': 'application/json' },
          body: JSON.stringify({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns } }),
        });
        expect(res.status).toBe(201);
      });

      it('get --raw /healthz', async () => {
        expect(ok(await k('get', '--raw', '/healthz'))).toBe('ok');
      });

      it('version', async () => {
        const out = JSON.parse((await k('version', '-o', 'json')).stdout);
        expect(out.serverVersion.gitVersion).toBe('v1.31.0');
        expect(out.clientVersion.minor).toBe(version.split('.')[1]);
      });

      it('create configmap, get it as YAML, delete it', async () => {
        expect(ok(await k('create', 'configmap', 'demo-config', '--from-literal=env=prod', '-n', ns)).trim()).toBe('configmap/demo-config created');
        const yaml = ok(await k('get', 'configmap', 'demo-config', '-n', ns, '-o', 'yaml'));
        expect(yaml).toMatch(/^data:\n {2}env: prod$/m);
        expect(yaml).toMatch(/^ {2}name: demo-config$/m);
        expect(yaml).toMatch(/^ {2}namespace: e2e-/m);
        expect(ok(await k('delete', 'configmap', 'demo-config', '-n', ns)).trim()).toBe('configmap "demo-config" deleted');
        const gone = await k('get', 'configmap', 'demo-config', '-n', ns);
        expect(gone.code).toBe(1);
        expect(gone.stderr).toContain('Error from server (NotFound): configmaps "demo-config" not found');
      });

      it('apply -f, then re-apply a change', async () => {
        const path = e2e.file(`${ns}-cm.yaml`, manifest(ns, 'one'));
        expect(ok(await k('apply', '-f', path)).trim()).toBe('configmap/applied created');
        expect(ok(await k('apply', '-f', path)).trim()).toBe('configmap/applied unchanged');
        e2e.file(`${ns}-cm.yaml`, manifest(ns, 'two'));
        expect(ok(await k('apply', '-f', path)).trim()).toBe('configmap/applied configured');
        expect(ok(await k('get', 'configmap', 'applied', '-n', ns, '-o', 'jsonpath={.data.setting}'))).toBe('two');
        expect(ok(await k('get', 'configmaps', '-n', ns, '-l', 'app=demo', '-o', 'name')).trim()).toBe('configmap/applied');
        // A typo in a re-applied manifest: kubectl's patch is refused (fieldValidation=Strict), nothing changes.
        e2e.file(`${ns}-cm.yaml`, `${manifest(ns, 'three')}datta:\n  x: "1"\n`);
        const refused = await k('apply', '-f', path);
        expect(refused.code).toBe(1);
        expect(refused.stderr).toContain(`error when patching "${path}": strict decoding error: unknown field "datta"`);
        expect(ok(await k('get', 'configmap', 'applied', '-n', ns, '-o', 'jsonpath={.data.setting}'))).toBe('two');
      });

      it('get nodes, pods, namespaces', async () => {
        const nodes = ok(await k('get', 'nodes'), true);
        for (const node of e2e.running.cluster.layout.kubelets ? e2e.running.cluster.layout.nodes : []) {
          expect(nodes).toMatch(new RegExp(`^${node}\\s+Ready\\s`, 'm'));
        }
        ok(await k('get', 'pods', '-A'), true);
        const namespaces = ok(await k('get', 'namespaces'));
        expect(namespaces).toMatch(/^kube-system\s+Active\s+\S+$/m);
        expect(namespaces).toMatch(new RegExp(`^${ns}\\s+Active`, 'm'));
      });

      it('apply a deployment, roll it out, see its pods spread, scale it, delete it', async () => {
        if (!e2e.running.cluster.layout.kubelets) return;
        const path = e2e.file(`${ns}-deploy.yaml`, deployment(ns, 'nginx:1.25'));
        expect(ok(await k('apply', '-f', path)).trim()).toBe('deployment.apps/web created');
        expect(ok(await k('rollout', 'status', 'deployment/web', '-n', ns, '--timeout=60s'))).toContain('deployment "web" successfully rolled out');
        const pods = ok(await k('get', 'pods', '-n', ns, '-l', 'app=web', '-o', 'wide', '--no-headers')).trim().split('\n');
        expect(pods).toHaveLength(3);
        for (const line of pods) expect(line).toMatch(/^web-[a-z0-9]+-[a-z0-9]{5}\s+1\/1\s+Running\s+0\s+\S+\s+10\.244\.\d+\.\d+\s+node-\d+\s/);
        e2e.file(`${ns}-deploy.yaml`, deployment(ns, 'nginx:1.26'));
        expect(ok(await k('apply', '-f', path)).trim()).toBe('deployment.apps/web configured');
        expect(ok(await k('rollout', 'status', 'deployment/web', '-n', ns, '--timeout=60s'))).toContain('successfully rolled out');
        expect(ok(await k('get', 'deployment', 'web', '-n', ns, '-o', 'jsonpath={.spec.template.spec.containers[0].image}'))).toBe('nginx:1.26');
        expect(ok(await k('scale', 'deployment/web', '--replicas=1', '-n', ns)).trim()).toBe('deployment.apps/web scaled');
        expect(ok(await k('get', 'deployment', 'web', '-n', ns, '-o', 'jsonpath={.spec.replicas}'))).toBe('1');
        expect(ok(await k('delete', '-f', path)).trim()).toBe('deployment.apps "web" deleted');
      }, 120_000);

      it('api-resources', async () => {
        const out = ok(await k('api-resources'));
        expect(out).toMatch(/^configmaps\s+cm\s+v1\s+true\s+ConfigMap$/m);
        expect(out).toMatch(/^deployments\s+deploy\s+apps\/v1\s+true\s+Deployment$/m);
      });
    });
  }

  /** kubectl 1.27 and 1.28 fetch /openapi/v2 (protobuf) before `apply -f` and `create -f`, validating by default. */
  for (const version of ['1.27', '1.28']) {
    const bin = kubectlBinary(version);
    (bin ? describe.concurrent : describe.skip)(`kubectl ${version} (OpenAPI v2)`, () => {
      const ns = 'default';
      const name = `old-${version.replace('.', '-')}`;
      const k = (...args: string[]) => e2e.kubectl(bin!, args);
      const manifest = (image: string) => deployment(ns, image).replace(/name: web$/m, `name: ${name}`);

      it('apply -f a Deployment, re-apply a change, refuse an unknown field', async () => {
        const path = e2e.file(`${name}.yaml`, manifest('nginx:1.25'));
        expect(ok(await k('apply', '-f', path)).trim()).toBe(`deployment.apps/${name} created`);
        e2e.file(`${name}.yaml`, manifest('nginx:1.26'));
        // The strategic merge patch is built from the v2 schema's merge keys.
        expect(ok(await k('apply', '-f', path)).trim()).toBe(`deployment.apps/${name} configured`);
        expect(ok(await k('get', 'deployment', name, '-o', 'jsonpath={.spec.template.spec.containers[*].image}'))).toBe('nginx:1.26');
        expect(ok(await k('delete', '-f', path)).trim()).toBe(`deployment.apps "${name}" deleted`);

        const bad = e2e.file(`${name}-bad.yaml`, manifest('nginx:1.25').replace(/^( +)image: (.*)$/m, '$1image: $2\n$1imagee: typo'));
        const refused = await k('create', '-f', bad);
        expect(refused.code).toBe(1);
        expect(refused.stderr).toContain(`Error from server (BadRequest): error when creating "${bad}": Deployment in version "v1" cannot be handled as a Deployment: strict decoding error: unknown field "spec.template.spec.containers[0].imagee"`);
      });
    });
  }
});
