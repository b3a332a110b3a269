// Validation for the smaller kinds: Namespace, ConfigMap, Secret, ServiceAccount, Node and Lease.
import type { ConfigMap, Namespace, Node, Secret, ServiceAccount, Taint } from 'kubernetes-types/core/v1.js';
import type { Lease } from 'kubernetes-types/coordination/v1.js';
import { type Cause, FieldPath, duplicate, forbidden, invalid, required, tooLong } from './causes.ts';
import { goLiteral, goQuote } from './go-format.ts';
import {
  semanticEqual,
  validateImmutableField,
  validateKubeFinalizerNames,
  validateLabelName,
  validateObjectMeta,
  validateObjectMetaUpdate,
} from './object-meta.ts';
import { validateTaintEffect } from './pod.ts';
import { isConfigMapKey, isValidLabelValue, nameIsDNSLabel, nameIsDNSSubdomain } from './rules.ts';
import { isValidQuantity, parseQuantityValue, quantityMilliValue, quantityToString } from '../quantity.ts';

export const MAX_SECRET_SIZE = 1024 * 1024;
const IMMUTABLE_WHEN_SET = 'field is immutable when `immutable` is set';

export function validateNamespace(ns: Namespace): Cause[] {
  const finalizersPath = FieldPath.root('spec').child('finalizers');
  const causes = validateObjectMeta(ns.metadata, false, nameIsDNSLabel);
  for (const f of ns.spec?.finalizers ?? []) causes.push(...validateLabelName(f, finalizersPath), ...validateKubeFinalizerNames([f], finalizersPath));
  return causes;
}

/** spec and status are carried over from the stored object by the strategy; only metadata is checked. */
export function validateNamespaceUpdate(next: Namespace, prev: Namespace): Cause[] {
  return validateObjectMetaUpdate(next.metadata, prev.metadata);
}

function validateDataKeys(keys: string[], path: FieldPath): Cause[] {
  return keys.sort().flatMap((k) => isConfigMapKey(k).map((msg) => invalid(String(path.key(k)), k, msg)));
}

export function validateConfigMap(cm: ConfigMap): Cause[] {
  const causes = validateObjectMeta(cm.metadata, true, nameIsDNSSubdomain);
  const data = cm.data ?? {};
  const binary = cm.binaryData ?? {};
  const dataPath = FieldPath.root('data');
  let total = 0;
  for (const k of Object.keys(data).sort()) {
    causes.push(...isConfigMapKey(k).map((msg) => invalid(String(dataPath.key(k)), k, msg)));
    if (k in binary) causes.push(invalid(String(dataPath.key(k)), k, 'duplicate of key present in binaryData'));
    total += Buffer.byteLength(data[k], 'utf8');
  }
  causes.push(...validateDataKeys(Object.keys(binary), FieldPath.root('binaryData')));
  for (const v of Object.values(binary)) total += Buffer.from(v, 'base64').length;
  // The empty path: the error is about the object as a whole.
  if (total > MAX_SECRET_SIZE) causes.push(tooLong('', MAX_SECRET_SIZE));
  return causes;
}

function immutableData(
  next: { immutable?: boolean },
  prev: { immutable?: boolean },
  fields: readonly [string, unknown, unknown][],
): Cause[] {
  if (prev.immutable !== true) return [];
  const causes: Cause[] = [];
  if (next.immutable !== true) causes.push(forbidden('immutable', IMMUTABLE_WHEN_SET));
  for (const [name, n, p] of fields) if (!semanticEqual(n ?? {}, p ?? {})) causes.push(forbidden(name, IMMUTABLE_WHEN_SET));
  return causes;
}

export function validateConfigMapUpdate(next: ConfigMap, prev: ConfigMap): Cause[] {
  return [
    ...validateObjectMetaUpdate(next.metadata, prev.metadata),
    ...immutableData(next, prev, [
      ['data', next.data, prev.data],
      ['binaryData', next.binaryData, prev.binaryData],
    ]),
    ...validateConfigMap(next),
  ];
}

/** Keys of data plus stringData (which the API folds into data on decode), with decoded sizes. */
function secretData(secret: Secret): Map<string, number> {
  const out = new Map<string, number>();
  for (const [k, v] of Object.entries(secret.data ?? {})) out.set(k, Buffer.from(v, 'base64').length);
  for (const [k, v] of Object.entries(secret.stringData ?? {})) out.set(k, Buffer.byteLength(v, 'utf8'));
  return out;
}

export function validateSecret(secret: Secret): Cause[] {
  const causes = validateObjectMeta(secret.metadata, true, nameIsDNSSubdomain);
  const dataPath = FieldPath.root('data');
  const data = secretData(secret);
  causes.push(...validateDataKeys([...data.keys()], dataPath));
  const total = [...data.values()].reduce((a, b) => a + b, 0);
  if (total > MAX_SECRET_SIZE) causes.push(tooLong(String(dataPath), MAX_SECRET_SIZE));
  const requireKeys = (...keys: string[]) => {
    for (const k of keys) if (!data.has(k)) causes.push(required(String(dataPath.key(k))));
  };
  switch (secret.type) {
    case 'kubernetes.io/service-account-token':
      if (!secret.metadata?.annotations?.['kubernetes.io/service-account.name']) {
        causes.push(required(String(FieldPath.root('metadata').child('annotations').key('kubernetes.io/service-account.name'))));
      }
      break;
    case 'kubernetes.io/dockercfg':
      requireKeys('.dockercfg');
      break;
    case 'kubernetes.io/dockerconfigjson':
      requireKeys('.dockerconfigjson');
      break;
    case 'kubernetes.io/basic-auth':
      // Either may be empty, but at least one must be present.
      if (!data.has('username') && !data.has('password')) requireKeys('username', 'password');
      break;
    case 'kubernetes.io/ssh-auth':
      if (!data.get('ssh-privatekey')) causes.push(required(String(dataPath.key('ssh-privatekey'))));
      break;
    case 'kubernetes.io/tls':
      requireKeys('tls.crt', 'tls.key');
      break;
  }
  return causes;
}

export function validateSecretUpdate(next: Secret, prev: Secret): Cause[] {
  return [
    ...validateObjectMetaUpdate(next.metadata, prev.metadata),
    ...validateImmutableField(next.type, prev.type, FieldPath.root('type'), next.type ?? ''),
    ...immutableData(next, prev, [['data', next.data, prev.data]]),
    ...validateSecret(next),
  ];
}

export function validateServiceAccount(sa: ServiceAccount): Cause[] {
  return validateObjectMeta(sa.metadata, true, nameIsDNSSubdomain);
}

function goTaint(t: Taint): string {
  return `core.Taint{Key:${goQuote(t.key ?? '')}, Value:${goQuote(t.value ?? '')}, Effect:${goQuote(t.effect ?? '')}, TimeAdded:(*v1.Time)(nil)}`;
}

/** Upstream reports taints under metadata.taints (its field path starts at metadata). */
function validateNodeTaints(taints: readonly Taint[], path: FieldPath): Cause[] {
  const causes: Cause[] = [];
  const seen = new Set<string>();
  taints.forEach((t, i) => {
    const p = path.index(i);
    causes.push(...validateLabelName(t.key, p.child('key')));
    const valueErrs = isValidLabelValue(t.value ?? '');
    if (valueErrs.length > 0) causes.push(invalid(String(p.child('value')), t.value ?? '', valueErrs.join(';')));
    causes.push(...validateTaintEffect(t.effect, false, p.child('effect')));
    const key = `${t.effect}\u0000${t.key}`;
    if (seen.has(key)) {
      const dup = duplicate(String(p), goLiteral(goTaint(t)));
      causes.push({ ...dup, message: `${dup.message}: taints must be unique by key and effect pair` });
      return;
    }
    seen.add(key);
  });
  return causes;
}

function validateNodeResources(node: Node): Cause[] {
  const causes: Cause[] = [];
  for (const listName of ['capacity', 'allocatable'] as const) {
    const list = node.status?.[listName] ?? {};
    for (const name of Object.keys(list).sort()) {
      if (!isValidQuantity(list[name])) continue;
      const q = parseQuantityValue(list[name]);
      const path = `status.${listName}.${name}`;
      if (q.nanos < 0n) causes.push(invalid(path, quantityToString(q), 'must be greater than or equal to 0'));
      const native = !name.includes('/') || name.includes('kubernetes.io/');
      if (!native && quantityMilliValue(q) % 1000n !== 0n) causes.push(invalid(path, quantityToString(q), 'must be an integer'));
    }
  }
  return causes;
}

export function validateNode(node: Node): Cause[] {
  const causes = validateObjectMeta(node.metadata, false, nameIsDNSSubdomain);
  const taints = node.spec?.taints ?? [];
  if (taints.length > 0) causes.push(...validateNodeTaints(taints, FieldPath.root('metadata').child('taints')));
  causes.push(...validateNodeResources(node));
  return causes;
}

export function validateNodeUpdate(next: Node, prev: Node): Cause[] {
  const causes = [...validateObjectMetaUpdate(next.metadata, prev.metadata), ...validateNodeResources(next)];
  const taints = next.spec?.taints ?? [];
  if (taints.length > 0) causes.push(...validateNodeTaints(taints, FieldPath.root('metadata').child('taints')));
  const oldCIDRs = prev.spec?.podCIDRs ?? [];
  const newCIDRs = next.spec?.podCIDRs ?? [];
  // A CIDR may be assigned once (by the node IPAM controller) and never changed.
  if (oldCIDRs.length > 0) {
    const changes = oldCIDRs.length !== newCIDRs.length ? 1 : oldCIDRs.filter((c, i) => c !== newCIDRs[i]).length;
    for (let i = 0; i < changes; i++) causes.push(forbidden('spec.podCIDRs', 'node updates may not change podCIDR except from "" to valid'));
  }
  if (prev.spec?.providerID && prev.spec.providerID !== next.spec?.providerID) {
    causes.push(forbidden('spec.providerID', 'node updates may not change providerID except from "" to valid'));
  }
  return causes;
}

export function validateLease(lease: Lease): Cause[] {
  const causes = validateObjectMeta(lease.metadata, true, nameIsDNSSubdomain);
  const duration = lease.spec?.leaseDurationSeconds;
  if (duration !== undefined && duration <= 0) causes.push(invalid('spec.leaseDurationSeconds', duration, 'must be greater than 0'));
  const transitions = lease.spec?.leaseTransitions;
  if (transitions !== undefined && transitions < 0) causes.push(invalid('spec.leaseTransitions', transitions, 'must be greater than or equal to 0'));
  return causes;
}
