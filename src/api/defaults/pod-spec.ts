// SetDefaults_* for PodSpec and everything nested in it (pkg/apis/core/v1/defaults.go).
// These run for Pods *and* pod templates; Pod-only defaults live in pod.ts.
// Functions here mutate their (already cloned) argument; callers own the copy.
import type {
  Container,
  ContainerPort,
  HTTPGetAction,
  LifecycleHandler,
  PodSpec,
  Probe,
  Volume,
  EnvVar,
} from 'kubernetes-types/core/v1.js';
import { parseQuantityValue, quantityToString, roundUpToMilli } from '../quantity.ts';
import { parseImageReference } from '../image-reference.ts';

const DEFAULT_FILE_MODE = 0o644; // 420, as it appears in JSON
const DEFAULT_TERMINATION_GRACE_PERIOD_SECONDS = 30;
export const DEFAULT_SCHEDULER_NAME = 'default-scheduler';

/**
 * SetDefaults_ResourceList: every quantity is rounded up to milli precision, which also makes
 * the API re-serialize it (so "0.5" is stored as "500m", "1024Mi" as "1Gi"). Unparseable
 * values are left for decoding to reject.
 */
export function defaultResourceList(list: Record<string, string> | undefined): void {
  if (list === undefined) return;
  for (const [name, value] of Object.entries(list)) {
    try {
      list[name] = quantityToString(roundUpToMilli(parseQuantityValue(value)));
    } catch {
      // left as is: decode.ts reports it as the 400 the API would send
    }
  }
}

function defaultHTTPGet(action: HTTPGetAction | undefined): void {
  if (action === undefined) return;
  if (action.path === undefined || action.path === '') action.path = '/';
  if (action.scheme === undefined || action.scheme === '') action.scheme = 'HTTP';
}

function defaultProbe(probe: Probe | undefined): void {
  if (probe === undefined) return;
  if (!probe.timeoutSeconds) probe.timeoutSeconds = 1;
  if (!probe.periodSeconds) probe.periodSeconds = 10;
  if (!probe.successThreshold) probe.successThreshold = 1;
  if (!probe.failureThreshold) probe.failureThreshold = 3;
  defaultHTTPGet(probe.httpGet);
}

function defaultLifecycleHandler(handler: LifecycleHandler | undefined): void {
  defaultHTTPGet(handler?.httpGet);
}

function defaultContainerPort(port: ContainerPort): void {
  if (!port.protocol) port.protocol = 'TCP';
}

function defaultEnv(env: EnvVar[] | undefined): void {
  for (const e of env ?? []) {
    const fieldRef = e.valueFrom?.fieldRef;
    if (fieldRef !== undefined && !fieldRef.apiVersion) fieldRef.apiVersion = 'v1';
  }
}

/** Pull Always for ":latest" (or no tag), else IfNotPresent; unparseable images get IfNotPresent. */
export function defaultImagePullPolicy(image: string | undefined): 'Always' | 'IfNotPresent' {
  return parseImageReference(image ?? '')?.tag === 'latest' ? 'Always' : 'IfNotPresent';
}

function defaultContainer(c: Container): void {
  if (!c.imagePullPolicy) c.imagePullPolicy = defaultImagePullPolicy(c.image);
  if (!c.terminationMessagePath) c.terminationMessagePath = '/dev/termination-log';
  if (!c.terminationMessagePolicy) c.terminationMessagePolicy = 'File';
  for (const p of c.ports ?? []) defaultContainerPort(p);
  defaultEnv(c.env);
  defaultProbe(c.livenessProbe);
  defaultProbe(c.readinessProbe);
  defaultProbe(c.startupProbe);
  defaultLifecycleHandler(c.lifecycle?.postStart);
  defaultLifecycleHandler(c.lifecycle?.preStop);
  defaultResourceList(c.resources?.limits);
  defaultResourceList(c.resources?.requests);
}

function defaultVolume(v: Volume): void {
  // A volume naming no source at all is an emptyDir.
  if (Object.keys(v).every((k) => k === 'name')) v.emptyDir = {};
  if (v.secret && v.secret.defaultMode === undefined) v.secret.defaultMode = DEFAULT_FILE_MODE;
  if (v.configMap && v.configMap.defaultMode === undefined) v.configMap.defaultMode = DEFAULT_FILE_MODE;
  if (v.downwardAPI) {
    if (v.downwardAPI.defaultMode === undefined) v.downwardAPI.defaultMode = DEFAULT_FILE_MODE;
    for (const item of v.downwardAPI.items ?? []) if (item.fieldRef && !item.fieldRef.apiVersion) item.fieldRef.apiVersion = 'v1';
  }
  if (v.projected) {
    if (v.projected.defaultMode === undefined) v.projected.defaultMode = DEFAULT_FILE_MODE;
    for (const source of v.projected.sources ?? []) {
      const token = source.serviceAccountToken;
      if (token && token.expirationSeconds === undefined) token.expirationSeconds = 3600;
      for (const item of source.downwardAPI?.items ?? []) if (item.fieldRef && !item.fieldRef.apiVersion) item.fieldRef.apiVersion = 'v1';
    }
  }
  if (v.hostPath && v.hostPath.type === undefined) v.hostPath.type = '';
}

/** SetDefaults_PodSpec plus the per-type defaults of everything a PodSpec contains. */
export function defaultPodSpec(spec: PodSpec): void {
  if (!spec.dnsPolicy) spec.dnsPolicy = 'ClusterFirst';
  if (!spec.restartPolicy) spec.restartPolicy = 'Always';
  if (spec.securityContext === undefined) spec.securityContext = {};
  if (spec.terminationGracePeriodSeconds === undefined) spec.terminationGracePeriodSeconds = DEFAULT_TERMINATION_GRACE_PERIOD_SECONDS;
  if (!spec.schedulerName) spec.schedulerName = DEFAULT_SCHEDULER_NAME;
  for (const c of spec.containers ?? []) defaultContainer(c);
  for (const c of spec.initContainers ?? []) defaultContainer(c);
  for (const v of spec.volumes ?? []) defaultVolume(v);
  defaultResourceList(spec.overhead);
}
