import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { configMap, JSON_HEADERS, openWatch, startLiveCluster, waitFor, type LiveCluster } from './live-cluster.ts';

/** Several apiserver actors behind one front door: spreading requests, and one of them crashing. */

let c: LiveCluster;

beforeAll(async () => {
  c = await startLiveCluster({ apiservers: 2 });
}, 30_000);

afterAll(async () => {
  await c?.stop();
});

describe('the front door over two apiservers', () => {
  it('spreads requests round-robin over the apiservers', async () => {
    const answeredBy: string[] = [];
    const sub = c.sim.bus.tap.subscribe((e) => {
      if (e.kind === 'deliver' && e.envelope.to === 'frontdoor-0' && e.envelope.type === 'api.response') answeredBy.push(e.envelope.from);
    });
    for (let i = 0; i < 6; i++) expect((await c.json('/api/v1/namespaces/default/configmaps')).status).toBe(200);
    sub.unsubscribe();
    expect(new Set(answeredBy)).toEqual(new Set(['apiserver-0', 'apiserver-1']));
  });

  it('ends watches on an apiserver that crashes, and keeps serving through the other', async () => {
    // Two watches: round-robin puts one on each apiserver.
    const watches = [
      await openWatch(`${c.url}/api/v1/namespaces/default/configmaps?watch=1`),
      await openWatch(`${c.url}/api/v1/namespaces/default/configmaps?watch=1`),
    ];
    await waitFor(() => c.door.client.inflight.watches === 2, 5_000);
    c.sim.crash('apiserver-1');
    const ended = [false, false];
    watches.forEach((w, i) => void w.ended.then(() => (ended[i] = true)));
    // The watch that was on apiserver-1 ends (the client re-lists and re-watches, as after any drop).
    await waitFor(() => ended.filter(Boolean).length === 1, 5_000);
    expect(c.door.client.inflight.watches).toBe(1);
    for (let i = 0; i < 4; i++) {
      const created = await c.json('/api/v1/namespaces/default/configmaps', {
        method: 'POST', headers: JSON_HEADERS, body: JSON.stringify(configMap(`after-crash-${i}`)),
      });
      expect(created.status).toBe(201);
    }
    const survivor = watches[ended.indexOf(false)];
    await waitFor(() => survivor.events.some((e) => e.object?.metadata?.name === 'after-crash-3'), 5_000);
    for (const w of watches) w.abort();
  });

  it('answers 503 with Retry-After when no apiserver is up', async () => {
    c.sim.crash('apiserver-0');
    c.sim.crash('apiserver-1');
    const res = await c.json('/api/v1/namespaces');
    expect(res.status).toBe(503);
    expect(res.headers.get('retry-after')).toBe('1');
    expect(res.body).toMatchObject({ kind: 'Status', reason: 'ServiceUnavailable', code: 503 });
    expect((await c.fetch('/readyz')).status).toBe(500);
    expect(await (await c.fetch('/readyz')).text()).toContain('[-]etcd failed: reason withheld');
    c.sim.restart('apiserver-0');
    await waitFor(async () => (await c.fetch('/readyz')).status === 200, 15_000);
  });
});
