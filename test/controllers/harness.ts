// A controller-manager against the fake apiserver in one Simulation, plus what the tests play: a user
// (kubectl apply/scale/set image/pause) and kubelets (pods become Running and Ready when told).
import type { Deployment, DeploymentStrategy, ReplicaSet } from 'kubernetes-types/apps/v1.js';
import type { Event, Pod } from 'kubernetes-types/core/v1.js';
import { Simulation } from '../../src/host/simulation.ts';
import type { Latency } from '../../src/bus/network.ts';
import type { ComponentHost } from '../../src/host/component-host.ts';
import { controllerOf, type KubeObject } from '../../src/client/index.ts';
import type { Status } from '../../src/apiserver/protocol.ts';
import { rfc3339 } from '../../src/kubelet/format.ts';
import { controllerManagerMachine } from '../../machines/controller-manager/controller-manager.machine.ts';
import type { ControllerManagerConfig } from '../../machines/controller-manager/config.ts';
import type { ManagerState } from '../../machines/controller-manager/manager.ts';
import { fakeApiserverMachine, type FakeApiserverConfig, type FakeApiserverContext, type WatchFaults } from '../client/fake-apiserver.ts';
import { objectsOf } from '../client/fake-apiserver-store.ts';

export const APISERVER = 'apiserver-0';
export const KCM = 'kcm-0';

export interface DeploymentOptions {
  replicas?: number;
  image?: string;
  strategy?: DeploymentStrategy;
  minReadySeconds?: number;
  progressDeadlineSeconds?: number;
  revisionHistoryLimit?: number;
  paused?: boolean;
}

export function deploymentObject(name: string, opts: DeploymentOptions = {}): Deployment {
  const labels = { app: name };
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name, namespace: 'default', labels },
    spec: {
      replicas: opts.replicas ?? 3,
      selector: { matchLabels: labels },
      template: { metadata: { labels }, spec: { containers: [{ name: 'app', image: opts.image ?? 'nginx:1.25' }] } },
      ...(opts.strategy ? { strategy: opts.strategy } : {}),
      ...(opts.minReadySeconds !== undefined ? { minReadySeconds: opts.minReadySeconds } : {}),
      ...(opts.progressDeadlineSeconds !== undefined ? { progressDeadlineSeconds: opts.progressDeadlineSeconds } : {}),
      ...(opts.revisionHistoryLimit !== undefined ? { revisionHistoryLimit: opts.revisionHistoryLimit } : {}),
      ...(opts.paused !== undefined ? { paused: opts.paused } : {}),
    },
  };
}

export interface ClusterOptions {
  seed?: number;
  /** One-way latency on every link; default uniform 1–3 ms. */
  latency?: Latency;
  fake?: FakeApiserverConfig;
  kcm?: Partial<ControllerManagerConfig>;
}

export class Cluster {
  readonly sim: Simulation;
  readonly fake: ComponentHost;
  readonly kcm: ComponentHost<ControllerManagerConfig>;

  constructor(opts: ClusterOptions = {}) {
    this.sim = new Simulation({ seed: opts.seed ?? 1, link: { latency: opts.latency ?? { kind: 'uniform', minMs: 1, maxMs: 3 } } });
    this.fake = this.sim.add(APISERVER, fakeApiserverMachine, { bookmarkIntervalMs: 1_000, ...opts.fake });
    this.kcm = this.sim.add(KCM, controllerManagerMachine, {
      apiserver: APISERVER,
      informer: { stallTimeoutMs: 3_000, backoff: { initialMs: 200, maxMs: 2_000, factor: 2, resetAfterMs: 60_000 } },
      // The ReplicaSet and Deployment scenarios run just those two (each test file picks its own).
      controllers: ['replicaset', 'deployment'],
      ...opts.kcm,
    });
  }

  get now(): number {
    return this.sim.now;
  }

  run(ms: number): void {
    this.sim.runFor(ms);
  }

  /** Runs until `predicate` holds; fails the test if it does not within `timeoutMs`. */
  until(predicate: () => boolean, timeoutMs = 30_000, what = 'condition'): void {
    if (!this.sim.runUntilTrue(predicate, timeoutMs)) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
  }

  private context(): FakeApiserverContext {
    return this.fake.snapshot()!.context as FakeApiserverContext;
  }

  manager(): ManagerState {
    return (this.kcm.snapshot()!.context as { manager: ManagerState }).manager;
  }

  objects<T extends KubeObject>(resource: string): T[] {
    return objectsOf(this.context().api, resource) as T[];
  }

  requests(verb: string, resource: string) {
    return this.context().log.filter((l) => l.verb === verb && l.resource === resource);
  }

  deployment(name = 'web'): Deployment {
    const d = this.objects<Deployment>('deployments').find((x) => x.metadata?.name === name);
    if (!d) throw new Error(`no deployment ${name}`);
    return d;
  }

  /** The Deployment's ReplicaSets, oldest revision first. */
  replicaSets(name = 'web'): ReplicaSet[] {
    const uid = this.deployment(name).metadata?.uid;
    return this.objects<ReplicaSet>('replicasets')
      .filter((rs) => controllerOf(rs)?.uid === uid)
      .sort((a, b) => Number(a.metadata?.annotations?.['deployment.kubernetes.io/revision'] ?? 0) - Number(b.metadata?.annotations?.['deployment.kubernetes.io/revision'] ?? 0));
  }

  pods(): Pod[] {
    return this.objects<Pod>('pods');
  }

  podsOf(rs: ReplicaSet): Pod[] {
    return this.pods().filter((p) => controllerOf(p)?.uid === rs.metadata?.uid);
  }

  /** Pods owned by any ReplicaSet the Deployment owns. */
  deploymentPods(name = 'web'): Pod[] {
    const uids = new Set(this.replicaSets(name).map((rs) => rs.metadata?.uid));
    return this.pods().filter((p) => uids.has(controllerOf(p)?.uid));
  }

  events(component?: string): Event[] {
    return this.objects<Event>('events')
      .filter((e) => !component || e.source?.component === component)
      // In creation order (the fake's uids count up).
      .sort((a, b) => Number(a.metadata?.uid?.slice(4)) - Number(b.metadata?.uid?.slice(4)));
  }

  eventMessages(component?: string): string[] {
    return this.events(component).map((e) => e.message ?? '');
  }

  apply<T extends KubeObject>(obj: T, resource = 'deployments'): void {
    this.fake.send({ type: 'fake.put', resource, object: obj });
  }

  createDeployment(name = 'web', opts: DeploymentOptions = {}): void {
    this.apply(deploymentObject(name, opts));
  }

  /** A user edit: read the Deployment, change it, PUT it back. */
  editDeployment(change: (d: Deployment) => void, name = 'web'): void {
    const d = structuredClone(this.deployment(name));
    change(d);
    this.apply(d);
  }

  scale(replicas: number, name = 'web'): void {
    this.editDeployment((d) => { d.spec!.replicas = replicas; }, name);
  }

  setImage(image: string, name = 'web'): void {
    this.editDeployment((d) => { d.spec!.template.spec!.containers[0].image = image; }, name);
  }

  setPaused(paused: boolean, name = 'web'): void {
    this.editDeployment((d) => { d.spec!.paused = paused; }, name);
  }

  deletePod(pod: Pod): void {
    this.fake.send({ type: 'fake.delete', resource: 'pods', namespace: pod.metadata?.namespace, name: pod.metadata?.name ?? '' });
  }

  faults(faults: WatchFaults): void {
    this.fake.send({ type: 'fake.faults', faults });
  }

  reject(verb: string, resource: string, times: number, status: Status): void {
    this.fake.send({ type: 'fake.reject', verb, resource, times, status });
  }

  /** What a kubelet would report: scheduled to `node`, Running, Ready since now. */
  markReady(pod: Pod, node = 'node-1'): void {
    const at = rfc3339(this.now);
    const spec = { ...pod.spec!, nodeName: pod.spec?.nodeName ?? node };
    this.fake.send({ type: 'fake.put', resource: 'pods', object: { ...pod, spec } });
    const status: Pod['status'] = {
      phase: 'Running',
      conditions: [
        { type: 'PodScheduled', status: 'True', lastTransitionTime: at },
        { type: 'Initialized', status: 'True', lastTransitionTime: at },
        { type: 'ContainersReady', status: 'True', lastTransitionTime: at },
        { type: 'Ready', status: 'True', lastTransitionTime: at },
      ],
      containerStatuses: spec.containers.map((c) => ({
        name: c.name, image: c.image ?? '', imageID: '', ready: true, restartCount: 0, started: true, state: { running: { startedAt: at } },
      })),
    };
    this.fake.send({ type: 'fake.put', resource: 'pods', subresource: 'status', object: { ...pod, spec, status } });
  }

  isReady(pod: Pod): boolean {
    return pod.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') ?? false;
  }

  /** Marks every pod that is not yet Ready as Ready (all kubelets at once). */
  readyAll(): void {
    for (const pod of this.pods()) if (!this.isReady(pod)) this.markReady(pod);
  }

  /** Deployment rollout finished as `kubectl rollout status` sees it. */
  rolledOut(name = 'web'): boolean {
    const d = this.deployment(name);
    const s = d.status ?? {};
    const replicas = d.spec?.replicas ?? 1;
    return (s.observedGeneration ?? 0) >= (d.metadata?.generation ?? 0) && (s.updatedReplicas ?? 0) === replicas &&
      (s.replicas ?? 0) === replicas && (s.availableReplicas ?? 0) === replicas;
  }

  /** Plays kubelets until the rollout completes. */
  rollOut(name = 'web', timeoutMs = 60_000): void {
    this.until(() => {
      this.readyAll();
      return this.rolledOut(name) && this.deploymentPods(name).length === (this.deployment(name).spec?.replicas ?? 1);
    }, timeoutMs, `rollout of ${name}`);
  }
}
