import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { kubectlBinary, startE2eCluster, type E2eCluster } from '../e2e/kubesim-up.ts';

/**
 * Logs through the HTTP front door of `kubesim up` (real time): text/plain answers, a followed log as a
 * chunked body that grows, Status errors — and real kubectl's `logs` on top.
 */

let e2e: E2eCluster;
const JSON_HEADERS = { 'Content-Type': 'application/json' };

function pod(name: string, annotations: Record<string, string>, containers = [{ name: 'app', image: 'myorg/app:1' }]): string {
  return JSON.stringify({ apiVersion: 'v1', kind: 'Pod', metadata: { name, annotations }, spec: { containers } });
}

async function phaseOf(name: string): Promise<string | undefined> {
  const r = await fetch(`${e2e.running.door.url}/api/v1/namespaces/default/pods/${name}`);
  return r.status === 200 ? ((await r.json()) as { status?: { phase?: string } }).status?.phase : undefined;
}

async function until(predicate: () => Promise<boolean>, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await predicate())) {
    if (Date.now() > deadline) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 100));
  }
}

beforeAll(async () => {
  e2e = await startE2eCluster({ nodes: { count: 1 }, registry: { images: { 'myorg/app': { pullMs: 0 } } } });
  const url = `${e2e.running.door.url}/api/v1/namespaces/default/pods`;
  for (const body of [
    pod('ticker', { 'kubesim.io/log-lines': 'ready', 'kubesim.io/log-every-ms': '200', 'kubesim.io/log-line': 'tick {n}' }),
    pod('two', {}, [{ name: 'a', image: 'myorg/app:1' }, { name: 'b', image: 'myorg/app:1' }]),
    pod('short', { 'kubesim.io/log-lines': 'starting', 'kubesim.io/exit-after-ms': '1500', 'kubesim.io/exit-code': '1', 'kubesim.io/exit-message': 'bye' }),
  ]) {
    expect((await fetch(url, { method: 'POST', headers: JSON_HEADERS, body })).status).toBe(201);
  }
  await until(async () => (await phaseOf('ticker')) === 'Running', 30_000);
}, 90_000);

afterAll(async () => {
  await e2e?.stop();
});

describe('pods/log over HTTP', () => {
  it('answers text/plain', async () => {
    const r = await fetch(`${e2e.running.door.url}/api/v1/namespaces/default/pods/ticker/log?tailLines=1`);
    expect(r.status).toBe(200);
    expect(r.headers.get('content-type')).toBe('text/plain');
    expect(await r.text()).toMatch(/^(ready|tick \d+)\n$/);
  });

  it('follow=true streams a chunked body that grows, until the client hangs up', async () => {
    const abort = new AbortController();
    const r = await fetch(`${e2e.running.door.url}/api/v1/namespaces/default/pods/ticker/log?follow=true&tailLines=0`, { signal: abort.signal });
    expect(r.status).toBe(200);
    const reader = r.body!.getReader();
    let text = '';
    while ((text.match(/tick \d+\n/g) ?? []).length < 3) text += new TextDecoder().decode((await reader.read()).value);
    abort.abort();
    const ticks = text.trimEnd().split('\n').map((l) => Number(l.split(' ')[1]));
    expect(ticks).toEqual(ticks.map((_, i) => ticks[0] + i));
    // The kubelet stops following once the front door has closed the stream.
    const kubelet = () => (e2e.running.cluster.sim.host('node-1/kubelet').snapshot()!.context as { kubelet: { logFollowers: object } }).kubelet;
    await until(async () => Object.keys(kubelet().logFollowers).length === 0, 5_000);
  });

  it('errors are Status objects', async () => {
    const r = await fetch(`${e2e.running.door.url}/api/v1/namespaces/default/pods/two/log`);
    expect(r.status).toBe(400);
    expect(await r.json()).toMatchObject({ kind: 'Status', reason: 'BadRequest', message: 'a container name must be specified for pod two, choose one of: [a b]' });
  });

  const bin = kubectlBinary('1.31') ?? kubectlBinary('1.33') ?? kubectlBinary('1.29');
  it.skipIf(bin === undefined)('kubectl logs', async () => {
    const tail = await e2e.kubectl(bin!, ['logs', 'ticker', '--tail=1', '--timestamps']);
    expect(tail.stdout).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{9}Z (ready|tick \d+)\n$/);
    // kubectl picks the first container itself, and says so.
    const two = await e2e.kubectl(bin!, ['logs', 'two']);
    expect(two.code).toBe(0);
    expect(two.stderr).toContain('Defaulted container "a" out of: a, b');
    const missing = await e2e.kubectl(bin!, ['logs', 'two', '-c', 'c']);
    expect(missing.code).not.toBe(0);
    expect(missing.stderr).toContain('container c is not valid for pod two');
    const previous = await e2e.kubectl(bin!, ['logs', 'ticker', '--previous']);
    expect(previous.stderr).toContain('Error from server (BadRequest): previous terminated container "app" in pod "ticker" not found');
    // -f returns once the container has exited (or at once when it is not running).
    const follow = await e2e.kubectl(bin!, ['logs', '-f', 'short'], 20_000);
    expect(follow).toMatchObject({ code: 0, stdout: 'starting\nbye\n' });
  }, 60_000);
});
