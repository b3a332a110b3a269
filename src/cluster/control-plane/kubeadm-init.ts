// `kubeadm init`'s last phases as a one-shot client on the bus, at `kubeadm/init`: it creates the addon
// objects (addons.ts) through the apiserver as kubernetes-admin — the same path as kubectl — once, retrying
// what failed (the apiserver not serving yet, kube-system not created yet) every 2 s until every object
// exists. AlreadyExists counts as done: kubeadm leaves what is there alone. Not an actor: it has no state
// worth crashing, and it is gone once done.
import type { Address } from '../../bus/envelope.ts';
import type { ApiRequest } from '../../apiserver/protocol.ts';
import type { Simulation } from '../../host/simulation.ts';
import { UserClient } from '../user-client.ts';

export const KUBEADM_ADDRESS = 'kubeadm/init';
export const KUBEADM_RETRY_MS = 2_000;
/** A create unanswered this long is sent again. */
export const KUBEADM_REQUEST_TIMEOUT_MS = 10_000;

const RESOURCES: Record<string, { group: string; version: string; resource: string }> = {
  ConfigMap: { group: '', version: 'v1', resource: 'configmaps' },
  Service: { group: '', version: 'v1', resource: 'services' },
  DaemonSet: { group: 'apps', version: 'v1', resource: 'daemonsets' },
  Deployment: { group: 'apps', version: 'v1', resource: 'deployments' },
};

type AddonObject = { kind?: string; metadata?: { name?: string; namespace?: string } };

export interface KubeadmInit {
  /** Objects not created yet, as kind/name. */
  pending(): string[];
  stop(): void;
}

export function startKubeadmInit(sim: Simulation, apiservers: readonly Address[], objects: readonly AddonObject[]): KubeadmInit {
  const client = new UserClient(sim, apiservers, KUBEADM_ADDRESS);
  const waiting = new Map(objects.map((o) => [`${o.kind}/${o.metadata?.name}`, { object: o, sentAt: null as number | null }]));
  let timer: ReturnType<typeof sim.clock.setTimeout> | undefined;
  let stopped = false;

  const stop = () => {
    stopped = true;
    sim.clock.clearTimeout(timer);
    client.close();
  };
  const attempt = () => {
    timer = undefined;
    if (stopped) return;
    for (const [key, entry] of waiting) {
      if (entry.sentAt !== null && sim.clock.now() - entry.sentAt < KUBEADM_REQUEST_TIMEOUT_MS) continue;
      const target = RESOURCES[entry.object.kind ?? ''];
      const request: ApiRequest = { verb: 'create', ...target!, namespace: entry.object.metadata?.namespace ?? 'default', body: entry.object };
      entry.sentAt = sim.clock.now();
      try {
        client.send(request, (response) => {
          entry.sentAt = null;
          if (response.code < 300 || response.code === 409) waiting.delete(key);
          if (waiting.size === 0) stop();
        });
      } catch {
        entry.sentAt = null; // no apiserver running: try again later
      }
    }
    if (waiting.size > 0) timer = sim.clock.setTimeout(attempt, KUBEADM_RETRY_MS);
  };
  timer = sim.clock.setTimeout(attempt, KUBEADM_RETRY_MS);
  return { pending: () => [...waiting.keys()], stop };
}
