// Endpoints and EndpointSlice validation (addresses, ports, address types).
import { isIP } from 'node:net';
import type { Endpoints } from 'kubernetes-types/core/v1.js';
import type { EndpointSlice } from 'kubernetes-types/discovery/v1.js';
import { type Cause, FieldPath, duplicate, invalid, notSupported, required } from './causes.ts';
import { validateImmutableField, validateObjectMeta, validateObjectMetaUpdate } from './object-meta.ts';
import { SUPPORTED_PORT_PROTOCOLS, validateDNS1123LabelField } from './containers.ts';
import { isValidPortNum, nameIsDNSSubdomain } from './rules.ts';

const INVALID_IP = 'must be a valid IP address, (e.g. 10.9.8.7 or 2001:db8::ffff)';

export function validateEndpoints(ep: Endpoints): Cause[] {
  const causes = validateObjectMeta(ep.metadata, true, nameIsDNSSubdomain);
  (ep.subsets ?? []).forEach((ss, i) => {
    const p = FieldPath.root('subsets').index(i);
    if ((ss.addresses ?? []).length === 0 && (ss.notReadyAddresses ?? []).length === 0) {
      causes.push(required(String(p), 'must specify `addresses` or `notReadyAddresses`'));
    }
    for (const [list, name] of [[ss.addresses, 'addresses'], [ss.notReadyAddresses, 'notReadyAddresses']] as const) {
      (list ?? []).forEach((a, j) => {
        const ap = p.child(name).index(j);
        if (isIP(a.ip) === 0) causes.push(invalid(String(ap.child('ip')), a.ip, INVALID_IP));
        if (a.hostname) causes.push(...validateDNS1123LabelField(a.hostname, ap.child('hostname')));
        if (a.nodeName) causes.push(...nameIsDNSSubdomain(a.nodeName, false).map((msg) => invalid(String(ap.child('nodeName')), a.nodeName, msg)));
      });
    }
    const ports = ss.ports ?? [];
    ports.forEach((port, j) => {
      const pp = p.child('ports').index(j);
      if (ports.length > 1 && !port.name) causes.push(required(String(pp.child('name'))));
      else if (port.name) causes.push(...validateDNS1123LabelField(port.name, pp.child('name')));
      causes.push(...isValidPortNum(port.port).map((msg) => invalid(String(pp.child('port')), port.port, msg)));
      if (!port.protocol) causes.push(required(String(pp.child('protocol'))));
      else if (!SUPPORTED_PORT_PROTOCOLS.includes(port.protocol)) causes.push(notSupported(String(pp.child('protocol')), port.protocol, SUPPORTED_PORT_PROTOCOLS));
    });
  });
  return causes;
}

const ADDRESS_TYPES = ['FQDN', 'IPv4', 'IPv6'];

export function validateEndpointSlice(slice: EndpointSlice): Cause[] {
  const causes = validateObjectMeta(slice.metadata, true, nameIsDNSSubdomain);
  const type = slice.addressType;
  if (!type) causes.push(required('addressType'));
  else if (!ADDRESS_TYPES.includes(type)) causes.push(notSupported('addressType', type, ADDRESS_TYPES));
  (slice.endpoints ?? []).forEach((ep, i) => {
    const addrPath = FieldPath.root('endpoints').index(i).child('addresses');
    if ((ep.addresses ?? []).length === 0) causes.push(required(String(addrPath), 'must contain at least 1 address'));
    (ep.addresses ?? []).forEach((a, j) => {
      if (type === 'IPv4' && isIP(a) !== 4) causes.push(invalid(String(addrPath.index(j)), a, 'must be a valid IPv4 address'));
      if (type === 'IPv6' && isIP(a) !== 6) causes.push(invalid(String(addrPath.index(j)), a, 'must be a valid IPv6 address'));
    });
    if (ep.nodeName !== undefined) {
      const nn = FieldPath.root('endpoints').index(i).child('nodeName');
      causes.push(...nameIsDNSSubdomain(ep.nodeName, false).map((msg) => invalid(String(nn), ep.nodeName, msg)));
    }
  });
  const names = new Set<string>();
  (slice.ports ?? []).forEach((port, i) => {
    const p = FieldPath.root('ports').index(i);
    const name = port.name ?? '';
    if (name) causes.push(...validateDNS1123LabelField(name, p.child('name')));
    if (names.has(name)) causes.push(duplicate(String(p.child('name')), name));
    else names.add(name);
    if (port.protocol === undefined) causes.push(required(String(p.child('protocol'))));
    else if (!SUPPORTED_PORT_PROTOCOLS.includes(port.protocol)) causes.push(notSupported(String(p.child('protocol')), port.protocol, SUPPORTED_PORT_PROTOCOLS));
  });
  return causes;
}

export function validateEndpointSliceUpdate(next: EndpointSlice, prev: EndpointSlice): Cause[] {
  return [
    ...validateObjectMetaUpdate(next.metadata, prev.metadata),
    ...validateEndpointSlice(next).filter((c) => !c.field.startsWith('metadata.')),
    ...validateImmutableField(next.addressType, prev.addressType, FieldPath.root('addressType'), next.addressType ?? ''),
  ];
}

