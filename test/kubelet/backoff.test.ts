import { describe, expect, it } from 'vitest';
import {
  MAX_BACKOFF_MS,
  backoffGC,
  backoffNext,
  checkCrashLoop,
  formatPod,
  isInBackOffSinceUpdate,
  newBackoff,
} from '../../src/kubelet/backoff.ts';
import type { BackoffState } from '../../src/kubelet/backoff.ts';

const pod = { name: 'web-7d4b8c6f5-x2p9k', namespace: 'default', uid: '3f0c2a' };

describe('CrashLoopBackOff', () => {
  it('restarts the first crash at once, then backs off 10, 20, 40, 80, 160, 300, 300 s', () => {
    let state: BackoffState = newBackoff();
    let t = 0;
    const delays: number[] = [];
    for (let crash = 0; crash < 8; crash++) {
      const finishedAt = t;
      // Poll each second like the pod worker until the back-off lets the restart through.
      let now = finishedAt;
      for (;;) {
        const d = checkCrashLoop(state, pod, 'app', finishedAt, now);
        state = d.backoff;
        if (!d.inBackOff) break;
        now += 1000;
      }
      delays.push((now - finishedAt) / 1000);
      t = now + 5000; // runs 5 s, then crashes again
    }
    expect(delays).toEqual([0, 10, 20, 40, 80, 160, 300, 300]);
  });

  it('prints the kubelet messages: back-off with Go durations, and format.Pod', () => {
    let state = newBackoff();
    const messages: string[] = [];
    let finishedAt = 0;
    for (let i = 0; i < 7; i++) {
      const d = checkCrashLoop(state, pod, 'app', finishedAt, finishedAt);
      if (d.inBackOff) {
        messages.push(d.message);
        state = checkCrashLoop(state, pod, 'app', finishedAt, d.retryAt).backoff;
        finishedAt = d.retryAt + 1000;
      } else {
        state = d.backoff;
        finishedAt += 1000;
      }
    }
    expect(formatPod(pod)).toBe('web-7d4b8c6f5-x2p9k_default(3f0c2a)');
    expect(messages[0]).toBe('back-off 10s restarting failed container=app pod=web-7d4b8c6f5-x2p9k_default(3f0c2a)');
    expect(messages.map((m) => m.split(' ')[1])).toEqual(['10s', '20s', '40s', '1m20s', '2m40s', '5m0s']);
  });

  it('resets once more than 2 × max (10 min) separates two crashes', () => {
    let state = newBackoff();
    for (const t of [0, 1000, 2000, 3000]) state = backoffNext(state, 'k', t);
    expect(state.entries.k.backoffMs).toBe(80_000);
    expect(backoffNext(state, 'k', 3000 + 2 * MAX_BACKOFF_MS).entries.k.backoffMs).toBe(160_000);
    expect(backoffNext(state, 'k', 3001 + 2 * MAX_BACKOFF_MS).entries.k.backoffMs).toBe(10_000);
    expect(backoffGC(state, 3001 + 2 * MAX_BACKOFF_MS).entries).toEqual({});
  });

  it('measures image pull back-off from the last failure', () => {
    const state = backoffNext(newBackoff(), 'uid_img', 5000);
    expect(isInBackOffSinceUpdate(state, 'uid_img', 14_999)).toBe(true);
    expect(isInBackOffSinceUpdate(state, 'uid_img', 15_000)).toBe(false);
    expect(isInBackOffSinceUpdate(state, 'other', 6000)).toBe(false);
  });
});
