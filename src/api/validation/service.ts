// Service validation (ValidateService / ValidateServiceUpdate), minus cluster-IP allocation
// checks that depend on the allocator's configured ranges.
import type { Service, ServicePort } from 'kubernetes-types/core/v1.js';
import { type Cause, FieldPath, duplicate, forbidden, invalid, notSupported, required } from './causes.ts';
import { goIntOrString, goLiteral, goQuote, goStringSlice } from './go-format.ts';
import { validateLabels, validateObjectMeta, validateObjectMetaUpdate } from './object-meta.ts';
import { SUPPORTED_PORT_PROTOCOLS, validateDNS1123LabelField, validatePortNumOrName } from './containers.ts';
import { isDNS1123Subdomain, isQualifiedName, isValidPortNum, nameIsDNS1035Label } from './rules.ts';
import { isExternallyAccessible } from '../defaults/core.ts';

const SERVICE_TYPES = ['ClusterIP', 'ExternalName', 'LoadBalancer', 'NodePort'];
const SESSION_AFFINITIES = ['ClientIP', 'None'];
const TRAFFIC_POLICIES = ['Cluster', 'Local'];
const IP_FAMILY_POLICIES = ['SingleStack', 'PreferDualStack', 'RequireDualStack'];
const IP_FAMILIES = ['IPv4', 'IPv6'];
const KUBELET_PORT = 10250;

function clusterIPs(svc: Service): string[] {
  const ips = svc.spec?.clusterIPs ?? [];
  if (ips.length > 0) return ips;
  return svc.spec?.clusterIP ? [svc.spec.clusterIP] : [];
}

export function isHeadlessService(svc: Service): boolean {
  const ips = clusterIPs(svc);
  return ips.length === 1 && ips[0] === 'None';
}

/** The (protocol, port) key upstream reports duplicates with: a whole core.ServicePort struct. */
function goServicePortKey(port: ServicePort): string {
  return (
    `core.ServicePort{Name:"", Protocol:${goQuote(port.protocol ?? '')}, AppProtocol:(*string)(nil), Port:${port.port}, ` +
    `TargetPort:${goIntOrString(0)}, NodePort:0}`
  );
}

function validateServicePort(port: ServicePort, requireName: boolean, names: Set<string>, path: FieldPath): Cause[] {
  const causes: Cause[] = [];
  if (requireName && !port.name) causes.push(required(String(path.child('name'))));
  else if (port.name) {
    causes.push(...validateDNS1123LabelField(port.name, path.child('name')));
    if (names.has(port.name)) causes.push(duplicate(String(path.child('name')), port.name));
    else names.add(port.name);
  }
  causes.push(...isValidPortNum(port.port).map((msg) => invalid(String(path.child('port')), port.port, msg)));
  if (!port.protocol) causes.push(required(String(path.child('protocol'))));
  else if (!SUPPORTED_PORT_PROTOCOLS.includes(port.protocol)) causes.push(notSupported(String(path.child('protocol')), port.protocol, SUPPORTED_PORT_PROTOCOLS));
  causes.push(...validatePortNumOrName(port.targetPort, path.child('targetPort')));
  if (port.appProtocol !== undefined) causes.push(...isQualifiedName(port.appProtocol).map((msg) => invalid(String(path.child('appProtocol')), port.appProtocol, msg)));
  return causes;
}

export function validateService(svc: Service): Cause[] {
  const spec = svc.spec ?? {};
  const path = FieldPath.root('spec');
  const ports = spec.ports ?? [];
  const headless = isHeadlessService(svc);
  const causes = validateObjectMeta(svc.metadata, true, nameIsDNS1035Label);
  if (ports.length === 0 && !headless && spec.type !== 'ExternalName') causes.push(required(String(path.child('ports'))));
  switch (spec.type) {
    case 'LoadBalancer':
      ports.forEach((p, i) => {
        // Kubelet's port may not be exposed through cloud firewalls.
        if (p.port === KUBELET_PORT) {
          causes.push(invalid(String(path.child('ports').index(i)), p.port, `may not expose port ${KUBELET_PORT} externally since it is used by kubelet`));
        }
      });
      if (headless) causes.push(invalid(String(path.child('clusterIPs').index(0)), 'None', "may not be set to 'None' for LoadBalancer services"));
      break;
    case 'NodePort':
      if (headless) causes.push(invalid(String(path.child('clusterIPs').index(0)), 'None', "may not be set to 'None' for NodePort services"));
      break;
    case 'ExternalName': {
      if (clusterIPs(svc).length > 0) causes.push(forbidden(String(path.child('clusterIPs')), 'may not be set for ExternalName services'));
      if ((spec.ipFamilies ?? []).length > 0) causes.push(forbidden(String(path.child('ipFamilies')), 'may not be set for ExternalName services'));
      if (spec.ipFamilyPolicy !== undefined) causes.push(forbidden(String(path.child('ipFamilyPolicy')), 'may not be set for ExternalName services'));
      // A CNAME may carry a trailing dot.
      const cname = (spec.externalName ?? '').replace(/\.$/, '');
      if (cname.length > 0) causes.push(...isDNS1123Subdomain(cname).map((msg) => invalid(String(path.child('externalName')), cname, msg)));
      else causes.push(required(String(path.child('externalName'))));
      break;
    }
  }
  const names = new Set<string>();
  ports.forEach((p, i) => causes.push(...validateServicePort(p, ports.length > 1, names, path.child('ports').index(i))));
  if (spec.selector !== undefined) causes.push(...validateLabels(spec.selector, path.child('selector')));
  if (!spec.sessionAffinity) causes.push(required(String(path.child('sessionAffinity'))));
  else if (!SESSION_AFFINITIES.includes(spec.sessionAffinity)) causes.push(notSupported(String(path.child('sessionAffinity')), spec.sessionAffinity, SESSION_AFFINITIES));
  if (!spec.type) causes.push(required(String(path.child('type'))));
  else if (!SERVICE_TYPES.includes(spec.type)) causes.push(notSupported(String(path.child('type')), spec.type, SERVICE_TYPES));
  if (spec.type === 'ClusterIP') {
    ports.forEach((p, i) => {
      if (p.nodePort) causes.push(forbidden(String(path.child('ports').index(i).child('nodePort')), "may not be used when `type` is 'ClusterIP'"));
    });
  }
  const nodePorts = new Set<string>();
  ports.forEach((p, i) => {
    if (!p.nodePort) return;
    const key = `${p.protocol}/${p.nodePort}`;
    if (nodePorts.has(key)) causes.push(duplicate(String(path.child('ports').index(i).child('nodePort')), p.nodePort));
    nodePorts.add(key);
  });
  const portKeys = new Set<string>();
  ports.forEach((p, i) => {
    const key = `${p.protocol}/${p.port}`;
    if (portKeys.has(key)) causes.push(duplicate(String(path.child('ports').index(i)), goLiteral(goServicePortKey(p))));
    portKeys.add(key);
  });
  causes.push(...validateTrafficPolicies(svc, path));
  causes.push(...validateIPFamilies(svc, path));
  return causes;
}

function validateTrafficPolicies(svc: Service, path: FieldPath): Cause[] {
  const spec = svc.spec ?? {};
  const causes: Cause[] = [];
  const etp = spec.externalTrafficPolicy;
  if (!isExternallyAccessible(svc)) {
    if (etp) causes.push(invalid(String(path.child('externalTrafficPolicy')), etp, 'may only be set for externally-accessible services'));
  } else if (!etp) causes.push(required(String(path.child('externalTrafficPolicy'))));
  else if (!TRAFFIC_POLICIES.includes(etp)) causes.push(notSupported(String(path.child('externalTrafficPolicy')), etp, TRAFFIC_POLICIES));
  const itp = spec.internalTrafficPolicy;
  if (itp === undefined && ['NodePort', 'LoadBalancer', 'ClusterIP'].includes(spec.type ?? '')) causes.push(required(String(path.child('internalTrafficPolicy'))));
  if (itp !== undefined && !TRAFFIC_POLICIES.includes(itp)) causes.push(notSupported(String(path.child('internalTrafficPolicy')), itp, TRAFFIC_POLICIES));
  return causes;
}

function validateIPFamilies(svc: Service, path: FieldPath): Cause[] {
  const spec = svc.spec ?? {};
  const causes: Cause[] = [];
  if (spec.ipFamilyPolicy !== undefined && !IP_FAMILY_POLICIES.includes(spec.ipFamilyPolicy)) {
    causes.push(notSupported(String(path.child('ipFamilyPolicy')), spec.ipFamilyPolicy, IP_FAMILY_POLICIES));
  }
  (spec.ipFamilies ?? []).forEach((f, i) => {
    if (!IP_FAMILIES.includes(f)) causes.push(notSupported(String(path.child('ipFamilies').index(i)), f, IP_FAMILIES));
  });
  return causes;
}

/** Cluster IPs may be added or released but never changed, unless ExternalName is involved. */
function validateClusterIPsUpdate(next: Service, prev: Service, path: FieldPath): Cause[] {
  if (next.spec?.type === 'ExternalName' || prev.spec?.type === 'ExternalName') return [];
  if (isHeadlessService(next) && isHeadlessService(prev)) return [];
  const n = clusterIPs(next);
  const o = clusterIPs(prev);
  const bad = goLiteral(goStringSlice(n));
  const first = String(path.child('clusterIPs').index(0));
  if (n.length === o.length) {
    return o.flatMap((ip, i) => (ip !== n[i] ? [invalid(String(path.child('clusterIPs').index(i)), bad, 'may not change once set')] : []));
  }
  const causes: Cause[] = [];
  if (o.length > n.length) {
    if (n.length === 0) causes.push(invalid(first, bad, 'primary clusterIP can not be unset'));
    if (o.length > 0 && n.length > 0 && n[0] !== o[0]) causes.push(invalid(first, bad, 'may not change once set'));
    if (n.length === 1 && next.spec?.ipFamilyPolicy !== 'SingleStack') {
      causes.push(invalid(first, bad, "`ipFamilyPolicy` must be set to 'SingleStack' when releasing the secondary clusterIP"));
    }
  } else if (o.length > 0 && n[0] !== o[0]) {
    causes.push(invalid(first, bad, 'may not change once set'));
  }
  return causes;
}

export function validateServiceUpdate(next: Service, prev: Service): Cause[] {
  return [
    ...validateObjectMetaUpdate(next.metadata, prev.metadata),
    ...validateClusterIPsUpdate(next, prev, FieldPath.root('spec')),
    // Upstream re-runs full create validation here, ObjectMeta included.
    ...validateService(next),
  ];
}
