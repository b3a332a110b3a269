// The static pod manifests `kubeadm init` writes to /etc/kubernetes/manifests on a control-plane node
// (kubeadm v1.30: cmd/kubeadm/app/phases/controlplane and etcd/local.go), abridged: the same names, labels,
// images, probes, resource requests, priority and host network; no volumes and shortened command lines.
// Each container carries `kubesim.io/probe-address`: its probes ask the actor it stands for.
import type { Container, Pod, Probe } from 'kubernetes-types/core/v1.js';
import type { Address } from '../../bus/envelope.ts';

export const KUBERNETES_VERSION = 'v1.30.0';
export const ETCD_IMAGE = 'registry.k8s.io/etcd:3.5.12-0';

/** kubeadm's probe shape: httpGet, initialDelay 10 s, timeout 15 s; liveness 8 × 10 s, startup 24 × 10 s. */
function probe(path: string, port: number, host: string, scheme: 'HTTP' | 'HTTPS', failureThreshold: number, periodSeconds = 10): Probe {
  return { failureThreshold, httpGet: { host, path, port, scheme }, initialDelaySeconds: 10, periodSeconds, timeoutSeconds: 15 };
}

function staticPod(component: string, container: Container, probeAddress: Address, annotations: Record<string, string> = {}): Pod {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name: component,
      namespace: 'kube-system',
      labels: { component, tier: 'control-plane' },
      annotations: { ...annotations, 'kubesim.io/probe-address': probeAddress },
    },
    spec: {
      containers: [{ imagePullPolicy: 'IfNotPresent', ...container }],
      hostNetwork: true,
      priority: 2000001000,
      priorityClassName: 'system-node-critical',
      securityContext: { seccompProfile: { type: 'RuntimeDefault' } },
      // What the apiserver's admission adds to a mirror pod on a real cluster.
      tolerations: [{ effect: 'NoExecute', operator: 'Exists' }],
    },
  };
}

export interface ControlPlaneMember {
  /** The node's InternalIP (the advertise address). */
  readonly hostIP: string;
  /** The actors this node runs, when it runs them. */
  readonly etcd?: Address;
  readonly apiserver?: Address;
  readonly scheduler?: Address;
  readonly controllerManager?: Address;
  /** Every etcd member's client URL, for kube-apiserver's --etcd-servers. */
  readonly etcdServers: readonly string[];
}

export function etcdManifest(m: ControlPlaneMember, address: Address, name: string): Pod {
  return staticPod('etcd', {
    name: 'etcd',
    image: ETCD_IMAGE,
    command: ['etcd', `--advertise-client-urls=https://${m.hostIP}:2379`, '--data-dir=/var/lib/etcd', `--listen-client-urls=https://127.0.0.1:2379,https://${m.hostIP}:2379`, '--listen-metrics-urls=http://127.0.0.1:2381', `--name=${name}`],
    livenessProbe: probe('/health?exclude=NOSPACE&serializable=true', 2381, '127.0.0.1', 'HTTP', 8),
    startupProbe: probe('/health?serializable=false', 2381, '127.0.0.1', 'HTTP', 24),
    resources: { requests: { cpu: '100m', memory: '100Mi' } },
  }, address, { 'kubeadm.kubernetes.io/etcd.advertise-client-urls': `https://${m.hostIP}:2379` });
}

export function apiserverManifest(m: ControlPlaneMember, address: Address): Pod {
  return staticPod('kube-apiserver', {
    name: 'kube-apiserver',
    image: `registry.k8s.io/kube-apiserver:${KUBERNETES_VERSION}`,
    command: ['kube-apiserver', `--advertise-address=${m.hostIP}`, '--authorization-mode=Node,RBAC', `--etcd-servers=${m.etcdServers.join(',')}`, '--secure-port=6443', '--service-cluster-ip-range=10.96.0.0/12'],
    livenessProbe: probe('/livez', 6443, m.hostIP, 'HTTPS', 8),
    readinessProbe: probe('/readyz', 6443, m.hostIP, 'HTTPS', 3, 1),
    startupProbe: probe('/livez', 6443, m.hostIP, 'HTTPS', 24),
    resources: { requests: { cpu: '250m' } },
  }, address, { 'kubeadm.kubernetes.io/kube-apiserver.advertise-address.endpoint': `${m.hostIP}:6443` });
}

export function controllerManagerManifest(address: Address): Pod {
  return staticPod('kube-controller-manager', {
    name: 'kube-controller-manager',
    image: `registry.k8s.io/kube-controller-manager:${KUBERNETES_VERSION}`,
    command: ['kube-controller-manager', '--allocate-node-cidrs=true', '--bind-address=127.0.0.1', '--cluster-cidr=10.244.0.0/16', '--kubeconfig=/etc/kubernetes/controller-manager.conf', '--leader-elect=true', '--service-cluster-ip-range=10.96.0.0/12'],
    livenessProbe: probe('/healthz', 10257, '127.0.0.1', 'HTTPS', 8),
    startupProbe: probe('/healthz', 10257, '127.0.0.1', 'HTTPS', 24),
    resources: { requests: { cpu: '200m' } },
  }, address);
}

export function schedulerManifest(address: Address): Pod {
  return staticPod('kube-scheduler', {
    name: 'kube-scheduler',
    image: `registry.k8s.io/kube-scheduler:${KUBERNETES_VERSION}`,
    command: ['kube-scheduler', '--bind-address=127.0.0.1', '--kubeconfig=/etc/kubernetes/scheduler.conf', '--leader-elect=true'],
    livenessProbe: probe('/healthz', 10259, '127.0.0.1', 'HTTPS', 8),
    startupProbe: probe('/healthz', 10259, '127.0.0.1', 'HTTPS', 24),
    resources: { requests: { cpu: '100m' } },
  }, address);
}

/** The manifests of one control-plane node: one per control-plane actor it runs. */
export function controlPlaneManifests(m: ControlPlaneMember, nodeName: string): Pod[] {
  return [
    ...(m.etcd ? [etcdManifest(m, m.etcd, nodeName)] : []),
    ...(m.apiserver ? [apiserverManifest(m, m.apiserver)] : []),
    ...(m.controllerManager ? [controllerManagerManifest(m.controllerManager)] : []),
    ...(m.scheduler ? [schedulerManifest(m.scheduler)] : []),
  ];
}
