import { describe, expect, it } from 'vitest';
import { etcdMemberMachine, memberStatus } from '../../machines/etcd-member/index.ts';
import type { ApiResponseMessage } from '../../src/apiserver/protocol.ts';
import { ApiHarness, configMap, core, create, get, list, obj, watch } from './harness.ts';

/**
 * The apiserver over a real 3-member etcd (machines/etcd-member): Raft replication, leader changes and
 * member crashes underneath, the etcd client actor retrying and resuming watches in between.
 */
const MEMBERS = ['etcd-1', 'etcd-2', 'etcd-3'];

function cluster(): ApiHarness {
  const h = new ApiHarness({ etcdMembers: MEMBERS, etcdClient: { attemptTimeoutMs: 500, requestTimeoutMs: 3_000 }, config: { requestTimeoutMs: 10_000 } });
  for (const m of MEMBERS) h.sim.add(m, etcdMemberMachine, { members: MEMBERS });
  return h.start();
}

/** Clients retry what fails while etcd elects a leader (as client-go does on 5xx). */
function callUntilOk(h: ApiHarness, request: Parameters<ApiHarness['call']>[0], attempts = 20): ApiResponseMessage {
  let last: ApiResponseMessage | undefined;
  for (let i = 0; i < attempts; i++) {
    last = h.call(request);
    if (last.code < 500) return last;
    h.run(500);
  }
  return last!;
}

function leaderOf(h: ApiHarness): string | undefined {
  return MEMBERS.find((m) => {
    const s = h.sim.host(m).snapshot();
    return s !== undefined && memberStatus(s)?.role === 'leader';
  });
}

describe('apiserver over a real 3-member etcd', () => {
  it('serves writes, reads, lists and watches through Raft', () => {
    const h = cluster();
    const w = h.send(watch(core('configmaps'), 'default'));
    h.run(50);
    const created = callUntilOk(h, create(core('configmaps'), 'default', configMap('replicated', { v: '1' })));
    expect(created.code).toBe(201);
    expect(obj(callUntilOk(h, get(core('configmaps'), 'default', 'replicated'))).data).toEqual({ v: '1' });
    h.run(200);
    expect(h.watchEvents(w).map((e) => [e.type, (e.object as any).metadata.name])).toEqual([['ADDED', 'replicated']]);
    expect(h.failures()).toEqual([]);
  });

  it('survives the etcd leader crashing and restarting: no acknowledged write is lost, watches continue', () => {
    const h = cluster();
    const w = h.send(watch(core('configmaps'), 'default'));
    for (let i = 0; i < 3; i++) expect(callUntilOk(h, create(core('configmaps'), 'default', configMap(`before-${i}`))).code).toBe(201);
    const leader = leaderOf(h);
    expect(leader).toBeDefined();
    h.sim.crash(leader!);

    for (let i = 0; i < 3; i++) {
      const r = callUntilOk(h, create(core('configmaps'), 'default', configMap(`during-${i}`)));
      // A write whose outcome was unknown may have committed and then collide with its retry.
      expect([201, 409]).toContain(r.code);
    }
    h.sim.restart(leader!);
    h.run(3_000);
    expect(callUntilOk(h, create(core('configmaps'), 'default', configMap('after'))).code).toBe(201);
    h.run(4_000);

    const names = (obj(callUntilOk(h, list(core('configmaps'), 'default'))).items as any[]).map((c) => c.metadata.name);
    expect(names).toEqual(['after', 'before-0', 'before-1', 'before-2', 'during-0', 'during-1', 'during-2']);
    const seen = h.watchEvents(w).filter((e) => e.type === 'ADDED').map((e) => (e.object as any).metadata.name);
    expect([...new Set(seen)].sort()).toEqual(names);
    expect(h.serving()).toBe(true);
    expect(h.failures()).toEqual([]);
  });

  it('answers 5xx while every member is down and recovers its data and caches after a full restart', () => {
    const h = cluster();
    expect(callUntilOk(h, create(core('configmaps'), 'default', configMap('durable', { v: 'x' }))).code).toBe(201);
    h.run(500);
    for (const m of MEMBERS) h.sim.crash(m);
    const down = h.call(get(core('configmaps'), 'default', 'durable'));
    expect(down.code).toBeGreaterThanOrEqual(500);
    expect(h.serving()).toBe(true);
    for (const m of MEMBERS) h.sim.restart(m);
    expect(obj(callUntilOk(h, get(core('configmaps'), 'default', 'durable'))).data).toEqual({ v: 'x' });
    h.run(20_000);
    expect(obj(callUntilOk(h, get(core('configmaps'), 'default', 'durable', { resourceVersion: '0' }))).data).toEqual({ v: 'x' });
    expect(h.failures()).toEqual([]);
  });
});
