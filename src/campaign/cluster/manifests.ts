// The workload's objects, as `kubectl apply` would send them: Deployments (some behind a ClusterIP
// Service), a Job, a DaemonSet. Everything lives in the default namespace.
import type { ManifestObject } from '../../cluster/kubectl/apply.ts';
import { SMALL_POD_CPU_MILLI } from './arbitrary.ts';
import { APP_IMAGE, IMAGE_TAGS, type ClusterWorkload, type DeploymentSpec, type JobSpec } from './scenario.ts';

export const deploymentName = (index: number) => `app-${index}`;
export const APP_CONTAINER = 'app';

function deployment(d: DeploymentSpec, index: number): ManifestObject {
  const name = deploymentName(index);
  // Tolerations of the node-lifecycle taints, shorter than admission's default 300 s.
  const tolerations = d.tolerationSeconds === undefined ? undefined : ['node.kubernetes.io/not-ready', 'node.kubernetes.io/unreachable'].map((key) => ({
    key, operator: 'Exists', effect: 'NoExecute', tolerationSeconds: d.tolerationSeconds,
  }));
  return {
    apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name, labels: { app: name } },
    spec: {
      replicas: d.replicas,
      selector: { matchLabels: { app: name } },
      ...(d.maxSurge !== undefined ? { strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: d.maxSurge, maxUnavailable: d.maxUnavailable } } } : {}),
      template: {
        metadata: { labels: { app: name } },
        spec: {
          ...(tolerations ? { tolerations } : {}),
          containers: [{
            name: APP_CONTAINER, image: `${APP_IMAGE}:${IMAGE_TAGS[0]}`,
            ports: [{ name: 'http', containerPort: 80 }],
            resources: { requests: { cpu: `${d.cpuMilli}m`, memory: `${d.memoryMi}Mi` } },
          }],
        },
      },
    },
  };
}

function service(index: number): ManifestObject {
  const name = deploymentName(index);
  return {
    apiVersion: 'v1', kind: 'Service', metadata: { name },
    spec: { selector: { app: name }, ports: [{ name: 'web', port: 80, targetPort: 'http' }] },
  };
}

function job(j: JobSpec, index: number): ManifestObject {
  return {
    apiVersion: 'batch/v1', kind: 'Job', metadata: { name: `job-${index}` },
    spec: {
      completions: j.completions, parallelism: j.parallelism, backoffLimit: 6,
      template: {
        metadata: { annotations: { 'kubesim.io/exit-after-ms': String(j.runMs) } },
        spec: {
          restartPolicy: 'Never',
          containers: [{ name: 'work', image: 'busybox:1.36', resources: { requests: { cpu: `${SMALL_POD_CPU_MILLI}m`, memory: '32Mi' } } }],
        },
      },
    },
  };
}

const DAEMON_SET: ManifestObject = {
  apiVersion: 'apps/v1', kind: 'DaemonSet', metadata: { name: 'agent' },
  spec: {
    selector: { matchLabels: { app: 'agent' } },
    template: {
      metadata: { labels: { app: 'agent' } },
      spec: { containers: [{ name: 'agent', image: 'busybox:1.36', resources: { requests: { cpu: `${SMALL_POD_CPU_MILLI}m`, memory: '32Mi' } } }] },
    },
  },
};

/** Never Ready (its readiness probe answers 503 from the start), selected by the `unready` Service. */
const UNREADY_POD: ManifestObject = {
  apiVersion: 'v1', kind: 'Pod', metadata: { name: 'unready', labels: { role: 'unready' }, annotations: { 'kubesim.io/readiness-fails-after-ms': '0' } },
  spec: {
    containers: [{
      name: 'app', image: `${APP_IMAGE}:${IMAGE_TAGS[0]}`, ports: [{ name: 'http', containerPort: 80 }],
      readinessProbe: { httpGet: { path: '/healthz', port: 80 }, periodSeconds: 5 },
      resources: { requests: { cpu: `${SMALL_POD_CPU_MILLI}m`, memory: '32Mi' } },
    }],
  },
};

const UNREADY_SERVICE: ManifestObject = {
  apiVersion: 'v1', kind: 'Service', metadata: { name: 'unready' },
  spec: { selector: { role: 'unready' }, ports: [{ name: 'web', port: 80, targetPort: 'http' }] },
};

/** Every object of the workload, in apply order. */
export function workloadObjects(workload: ClusterWorkload): ManifestObject[] {
  return [
    ...workload.deployments.flatMap((d, i) => [deployment(d, i), ...(d.service ? [service(i)] : [])]),
    ...workload.jobs.map((j, i) => job(j, i)),
    ...(workload.daemonSet ? [DAEMON_SET] : []),
    ...(workload.unreadyPod ? [UNREADY_SERVICE, UNREADY_POD] : []),
  ];
}
