// Shared setup for client tests: a fake apiserver and an informer host on one simulated network.
import type { Pod } from 'kubernetes-types/core/v1.js';
import { Simulation } from '../../src/host/simulation.ts';
import type { ComponentHost } from '../../src/host/component-host.ts';
import type { KubeObject } from '../../src/client/index.ts';
import { storeList } from '../../src/client/index.ts';
import { fakeApiserverMachine, type FakeApiserverConfig, type FakeApiserverContext, type FakeCommand } from './fake-apiserver.ts';
import { objectsOf } from './fake-apiserver-store.ts';
import { informerHostMachine, type InformerHostConfig, type InformerHostContext } from './informer-host.ts';

export const APISERVER = 'apiserver-0';

export function pod(name: string, labels: Record<string, string> = {}, namespace = 'default'): Pod {
  return { apiVersion: 'v1', kind: 'Pod', metadata: { name, namespace, labels }, spec: { containers: [{ name: 'app', image: 'nginx:1.25' }] } };
}

export function fakeContext(host: ComponentHost): FakeApiserverContext {
  return host.snapshot()!.context as FakeApiserverContext;
}

export function serverObjects(host: ComponentHost, resource: string): KubeObject[] {
  return objectsOf(fakeContext(host).api, resource);
}

export function informerContext(host: ComponentHost): InformerHostContext {
  return host.snapshot()!.context as InformerHostContext;
}

export function cachedObjects(host: ComponentHost): KubeObject[] {
  return storeList(informerContext(host).informer.store);
}

export function informerSim(opts: { fake?: FakeApiserverConfig; informer?: InformerHostConfig['options']; seed?: number } = {}) {
  const sim = new Simulation({ seed: opts.seed ?? 1, link: { latency: { kind: 'constant', ms: 1 } } });
  const fake = sim.add(APISERVER, fakeApiserverMachine, opts.fake ?? {});
  const command = (cmd: FakeCommand) => fake.send(cmd);
  const startInformer = () =>
    sim.add('client-0', informerHostMachine, { apiserver: APISERVER, options: opts.informer } satisfies InformerHostConfig);
  return { sim, fake, command, startInformer };
}
