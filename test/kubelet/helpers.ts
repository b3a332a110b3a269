import type { Container, Pod } from 'kubernetes-types/core/v1.js';
import type { KubeletEvent } from '../../src/kubelet/events.ts';
import { newKubelet } from '../../src/kubelet/kubelet-state.ts';
import type { KubeletConfig, KubeletState } from '../../src/kubelet/kubelet-state.ts';
import { syncPod } from '../../src/kubelet/sync.ts';
import { podColumns } from '../../src/kubelet/pod-status.ts';

export const NODE: KubeletConfig = { nodeName: 'node-1', hostIP: '172.18.0.3', podCIDR: '10.244.1.0/24' };

export function makePod(opts: {
  name?: string;
  uid?: string;
  annotations?: Record<string, string>;
  containers?: Partial<Container>[];
  initContainers?: Partial<Container>[];
  restartPolicy?: 'Always' | 'OnFailure' | 'Never';
}): Pod {
  const name = opts.name ?? 'web';
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, namespace: 'default', uid: opts.uid ?? `uid-${name}`, annotations: opts.annotations, creationTimestamp: '2024-04-17T00:00:00Z' },
    spec: {
      restartPolicy: opts.restartPolicy ?? 'Always',
      nodeName: NODE.nodeName,
      containers: (opts.containers ?? [{}]).map((c, i) => ({ name: i === 0 ? 'app' : `c${i}`, image: 'nginx:1.25', ...c })),
      ...(opts.initContainers ? { initContainers: opts.initContainers.map((c, i) => ({ name: `init${i}`, image: 'busybox:1.36', ...c })) } : {}),
    },
  };
}

export interface Frame {
  readonly at: number;
  readonly pod: Pod;
  readonly columns: ReturnType<typeof podColumns>;
}

/**
 * Drive one pod like the kubelet machine would: sync at every nextSyncAt and at each update's time (a pod
 * update from the API), writing the generated status back to the pod.
 */
export function simulate(
  pod: Pod,
  until: number,
  options: { kubelet?: KubeletState; updates?: { at: number; apply: (pod: Pod) => Pod }[] } = {},
): { kubelet: KubeletState; pod: Pod; events: KubeletEvent[]; frames: Frame[] } {
  let kubelet = options.kubelet ?? newKubelet(NODE);
  let current = pod;
  const updates = [...(options.updates ?? [])].sort((a, b) => a.at - b.at);
  const events: KubeletEvent[] = [];
  const frames: Frame[] = [];
  let t = 0;
  for (let i = 0; i < 10_000 && t <= until; i++) {
    while (updates.length > 0 && updates[0].at <= t) current = updates.shift()!.apply(current);
    const r = syncPod(kubelet, current, t);
    kubelet = r.state;
    current = { ...current, status: r.status };
    events.push(...r.events);
    frames.push({ at: t, pod: current, columns: podColumns(current, t) });
    const next = Math.min(r.nextSyncAt ?? Infinity, updates[0]?.at ?? Infinity);
    if (next === Infinity) break;
    t = next;
  }
  return { kubelet, pod: current, events, frames };
}

export function deleteAt(at: number, gracePeriodSeconds = 30): { at: number; apply: (pod: Pod) => Pod } {
  return { at, apply: (p) => ({ ...p, metadata: { ...p.metadata, deletionTimestamp: '2024-04-17T00:00:00Z', deletionGracePeriodSeconds: gracePeriodSeconds } }) };
}

/** Distinct consecutive STATUS values, as `kubectl get pods -w` would show them. */
export function statusTimeline(frames: readonly Frame[]): string[] {
  const out: string[] = [];
  for (const f of frames) if (out[out.length - 1] !== f.columns.status) out.push(f.columns.status);
  return out;
}
