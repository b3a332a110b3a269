// Container-level validation from pkg/apis/core/validation (validateContainerCommon and the
// pieces it calls): names, images, ports, env, mounts, probes and resource requirements.
import type {
  Container,
  ContainerPort,
  EnvVar,
  HTTPGetAction,
  Probe,
  ResourceRequirements,
  VolumeMount,
} from 'kubernetes-types/core/v1.js';
import {
  type Cause,
  FieldPath,
  duplicate,
  forbidden,
  invalid,
  nonNegative,
  notFound,
  notSupported,
  required,
} from './causes.ts';
import { isDNS1123Label, isQualifiedName, isValidPortName, isValidPortNum, regexError } from './rules.ts';
import { compareQuantities, isValidQuantity, parseQuantityValue, quantityMilliValue, quantityToString } from '../quantity.ts';

export const SUPPORTED_PORT_PROTOCOLS = ['SCTP', 'TCP', 'UDP'];

export function validateDNS1123LabelField(value: string, path: FieldPath): Cause[] {
  return isDNS1123Label(value).map((msg) => invalid(String(path), value, msg));
}

/** ValidatePortNumOrName for intstr fields (targetPort, probe ports). */
export function validatePortNumOrName(port: number | string | undefined, path: FieldPath): Cause[] {
  if (typeof port === 'string') return isValidPortName(port).map((msg) => invalid(String(path), port, msg));
  return isValidPortNum(port ?? 0).map((msg) => invalid(String(path), port ?? 0, msg));
}

function validateContainerPorts(ports: readonly ContainerPort[] | undefined, path: FieldPath): Cause[] {
  const causes: Cause[] = [];
  const names = new Set<string>();
  (ports ?? []).forEach((port, i) => {
    const p = path.index(i);
    if (port.name) {
      const msgs = isValidPortName(port.name);
      if (msgs.length > 0) causes.push(...msgs.map((m) => invalid(String(p.child('name')), port.name, m)));
      else if (names.has(port.name)) causes.push(duplicate(String(p.child('name')), port.name));
      else names.add(port.name);
    }
    if (!port.containerPort) causes.push(required(String(p.child('containerPort'))));
    else causes.push(...isValidPortNum(port.containerPort).map((m) => invalid(String(p.child('containerPort')), port.containerPort, m)));
    if (port.hostPort) causes.push(...isValidPortNum(port.hostPort).map((m) => invalid(String(p.child('hostPort')), port.hostPort, m)));
    if (!port.protocol) causes.push(required(String(p.child('protocol'))));
    else if (!SUPPORTED_PORT_PROTOCOLS.includes(port.protocol)) {
      causes.push(notSupported(String(p.child('protocol')), port.protocol, SUPPORTED_PORT_PROTOCOLS));
    }
  });
  return causes;
}

const ENV_VAR_NAME_FMT = '[-._a-zA-Z][-._a-zA-Z0-9]*';
const ENV_VAR_NAME_ERR = "a valid environment variable name must consist of alphabetic characters, digits, '_', '-', or '.', and must not start with a digit";

function validateEnv(env: readonly EnvVar[] | undefined, path: FieldPath): Cause[] {
  const causes: Cause[] = [];
  (env ?? []).forEach((e, i) => {
    const p = path.index(i).child('name');
    if (!e.name) causes.push(required(String(p)));
    else if (!new RegExp(`^${ENV_VAR_NAME_FMT}$`).test(e.name)) {
      causes.push(invalid(String(p), e.name, regexError(ENV_VAR_NAME_ERR, ENV_VAR_NAME_FMT, 'my.env-name', 'MY_ENV.NAME', 'MyEnvName1')));
    }
  });
  return causes;
}

function validateVolumeMounts(mounts: readonly VolumeMount[] | undefined, volumes: ReadonlySet<string>, path: FieldPath): Cause[] {
  const causes: Cause[] = [];
  const mountPaths = new Set<string>();
  (mounts ?? []).forEach((m, i) => {
    const p = path.index(i);
    if (!m.name) causes.push(required(String(p.child('name'))));
    if (!volumes.has(m.name)) causes.push(notFound(String(p.child('name')), m.name ?? ''));
    if (!m.mountPath) causes.push(required(String(p.child('mountPath'))));
    if (mountPaths.has(m.mountPath)) causes.push(invalid(String(p.child('mountPath')), m.mountPath, 'must be unique'));
    mountPaths.add(m.mountPath);
  });
  return causes;
}

function validateHTTPGet(action: HTTPGetAction, path: FieldPath): Cause[] {
  const causes: Cause[] = [];
  if (!action.path) causes.push(required(String(path.child('path'))));
  causes.push(...validatePortNumOrName(action.port, path.child('port')));
  if (action.scheme && !['HTTP', 'HTTPS'].includes(action.scheme)) {
    causes.push(notSupported(String(path.child('scheme')), action.scheme, ['HTTP', 'HTTPS']));
  }
  return causes;
}

type ProbeKind = 'liveness' | 'readiness' | 'startup';

function validateProbe(probe: Probe | undefined, kind: ProbeKind, path: FieldPath): Cause[] {
  if (probe === undefined) return [];
  const causes: Cause[] = [];
  let handlers = 0;
  for (const key of ['exec', 'httpGet', 'tcpSocket', 'grpc'] as const) {
    if (probe[key] === undefined) continue;
    if (handlers > 0) {
      causes.push(forbidden(String(path.child(key)), 'may not specify more than 1 handler type'));
      continue;
    }
    handlers++;
    if (key === 'exec' && (probe.exec?.command ?? []).length === 0) causes.push(required(String(path.child('exec', 'command'))));
    if (key === 'httpGet') causes.push(...validateHTTPGet(probe.httpGet!, path.child('httpGet')));
    if (key === 'tcpSocket') causes.push(...validatePortNumOrName(probe.tcpSocket!.port, path.child('tcpSocket', 'port')));
  }
  if (handlers === 0) causes.push(required(String(path), 'must specify a handler type'));
  causes.push(...nonNegative(path.child('initialDelaySeconds'), probe.initialDelaySeconds));
  causes.push(...nonNegative(path.child('timeoutSeconds'), probe.timeoutSeconds));
  causes.push(...nonNegative(path.child('periodSeconds'), probe.periodSeconds));
  causes.push(...nonNegative(path.child('successThreshold'), probe.successThreshold));
  causes.push(...nonNegative(path.child('failureThreshold'), probe.failureThreshold));
  const grace = probe.terminationGracePeriodSeconds;
  if (grace !== undefined && grace <= 0) causes.push(invalid(String(path.child('terminationGracePeriodSeconds')), grace, 'must be greater than 0'));
  if (kind !== 'readiness' && probe.successThreshold !== undefined && probe.successThreshold !== 1) {
    causes.push(invalid(String(path.child('successThreshold')), probe.successThreshold, 'must be 1'));
  }
  if (kind === 'readiness' && grace !== undefined) {
    causes.push(invalid(String(path.child('terminationGracePeriodSeconds')), grace, 'must not be set for readinessProbes'));
  }
  return causes;
}

const STANDARD_RESOURCES = new Set([
  'cpu',
  'memory',
  'ephemeral-storage',
  'storage',
  'pods',
  'services',
  'replicationcontrollers',
  'resourcequotas',
  'secrets',
  'configmaps',
  'persistentvolumeclaims',
  'requests.cpu',
  'requests.memory',
  'requests.storage',
  'requests.ephemeral-storage',
  'limits.cpu',
  'limits.memory',
  'limits.ephemeral-storage',
]);
const STANDARD_CONTAINER_RESOURCES = new Set(['cpu', 'memory', 'ephemeral-storage']);

const isHugePages = (name: string): boolean => name.startsWith('hugepages-');
// Native: unprefixed or in a kubernetes.io domain. Everything else is an "extended" resource.
const isNative = (name: string): boolean => !name.includes('/') || name.includes('kubernetes.io/');
const isOvercommitAllowed = (name: string): boolean => isNative(name) && !isHugePages(name);

function validateContainerResourceName(name: string, path: FieldPath): Cause[] {
  const causes = isQualifiedName(name).map((msg) => invalid(String(path), name, msg));
  if (!name.includes('/')) {
    if (!STANDARD_RESOURCES.has(name) && !isHugePages(name)) {
      causes.push(invalid(String(path), name, 'must be a standard resource type or fully qualified'));
    }
    if (!STANDARD_CONTAINER_RESOURCES.has(name) && !isHugePages(name)) {
      causes.push(invalid(String(path), name, 'must be a standard resource for containers'));
    }
  } else if (!isNative(name) && isQualifiedName(`requests.${name}`).length > 0) {
    causes.push(invalid(String(path), name, "doesn't follow extended resource name standard"));
  }
  return causes;
}

function validateQuantityValue(name: string, raw: string, path: FieldPath): Cause[] {
  if (!isValidQuantity(raw)) return []; // undecodable: rejected earlier with a 400
  const q = parseQuantityValue(raw);
  const causes: Cause[] = [];
  if (q.nanos < 0n) causes.push(invalid(String(path), quantityToString(q), 'must be greater than or equal to 0'));
  if (!isNative(name) && quantityMilliValue(q) % 1000n !== 0n) causes.push(invalid(String(path), quantityToString(q), 'must be an integer'));
  return causes;
}

function sortedKeys(m: Readonly<Record<string, unknown>> | undefined): string[] {
  return Object.keys(m ?? {}).sort();
}

/** ValidateResourceRequirements (maps walked in sorted order where Go's order is random). */
export function validateResourceRequirements(res: ResourceRequirements | undefined, path: FieldPath): Cause[] {
  const limits = res?.limits ?? {};
  const requests = res?.requests ?? {};
  const causes: Cause[] = [];
  const limPath = path.child('limits');
  const reqPath = path.child('requests');
  for (const name of sortedKeys(limits)) {
    causes.push(...validateContainerResourceName(name, limPath.key(name)));
    causes.push(...validateQuantityValue(name, limits[name], limPath.key(name)));
  }
  for (const name of sortedKeys(requests)) {
    causes.push(...validateContainerResourceName(name, reqPath.key(name)));
    causes.push(...validateQuantityValue(name, requests[name], reqPath.key(name)));
    if (!isValidQuantity(requests[name])) continue;
    const request = parseQuantityValue(requests[name]);
    if (name in limits && isValidQuantity(limits[name])) {
      const limit = parseQuantityValue(limits[name]);
      const cmp = compareQuantities(request, limit);
      if (cmp !== 0 && !isOvercommitAllowed(name)) {
        causes.push(invalid(String(reqPath), quantityToString(request), `must be equal to ${name} limit of ${quantityToString(limit)}`));
      } else if (cmp > 0) {
        causes.push(invalid(String(reqPath), quantityToString(request), `must be less than or equal to ${name} limit of ${quantityToString(limit)}`));
      }
    } else if (!(name in limits) && !isOvercommitAllowed(name)) {
      causes.push(required(String(limPath), 'Limit must be set for non overcommitable resources'));
    }
  }
  return causes;
}

export type ContainerKind = 'container' | 'initContainer';

/** validateContainerCommon: the rules shared by every kind of container. */
export function validateContainerCommon(c: Container, volumes: ReadonlySet<string>, path: FieldPath): Cause[] {
  const causes: Cause[] = [];
  if (!c.name) causes.push(required(String(path.child('name'))));
  else causes.push(...validateDNS1123LabelField(c.name, path.child('name')));
  if (!c.image) causes.push(required(String(path.child('image'))));
  const tmp = c.terminationMessagePolicy;
  if (!tmp) causes.push(required(String(path.child('terminationMessagePolicy'))));
  else if (tmp !== 'File' && tmp !== 'FallbackToLogsOnError') {
    causes.push(notSupported(String(path.child('terminationMessagePolicy')), tmp, ['File', 'FallbackToLogsOnError']));
  }
  causes.push(...validateContainerPorts(c.ports, path.child('ports')));
  causes.push(...validateEnv(c.env, path.child('env')));
  causes.push(...validateVolumeMounts(c.volumeMounts, volumes, path.child('volumeMounts')));
  const pull = c.imagePullPolicy;
  if (!pull) causes.push(required(String(path.child('imagePullPolicy'))));
  else if (!['Always', 'IfNotPresent', 'Never'].includes(pull)) {
    causes.push(notSupported(String(path.child('imagePullPolicy')), pull, ['Always', 'IfNotPresent', 'Never']));
  }
  causes.push(...validateResourceRequirements(c.resources, path.child('resources')));
  return causes;
}

/** Init containers may set restartPolicy, and only to Always (a sidecar). */
export function validateInitContainerRestartPolicy(c: Container, path: FieldPath): Cause[] {
  return c.restartPolicy !== undefined && c.restartPolicy !== 'Always'
    ? [notSupported(String(path.child('restartPolicy')), c.restartPolicy, ['Always'])]
    : [];
}

/** Probes and lifecycle: allowed on regular containers and sidecars, forbidden on plain init containers. */
export function validateContainerLifecycle(c: Container, kind: ContainerKind, path: FieldPath): Cause[] {
  const causes: Cause[] = [];
  const sidecar = kind === 'initContainer' && c.restartPolicy === 'Always';
  if (kind === 'container' || sidecar) {
    causes.push(...validateProbe(c.livenessProbe, 'liveness', path.child('livenessProbe')));
    causes.push(...validateProbe(c.readinessProbe, 'readiness', path.child('readinessProbe')));
    causes.push(...validateProbe(c.startupProbe, 'startup', path.child('startupProbe')));
  } else {
    for (const key of ['lifecycle', 'livenessProbe', 'readinessProbe', 'startupProbe'] as const) {
      if (c[key] !== undefined) causes.push(forbidden(String(path.child(key)), 'may not be set for init containers without restartPolicy=Always'));
    }
  }
  if (kind === 'container' && c.restartPolicy !== undefined) {
    causes.push(forbidden(String(path.child('restartPolicy')), 'may not be set for non-init containers'));
  }
  return causes;
}
