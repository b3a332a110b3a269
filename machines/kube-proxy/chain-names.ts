// iptables chain names as kube-proxy makes them (pkg/proxy/iptables/proxier.go): a prefix and the first
// 16 characters of the base32 (RFC 4648, standard alphabet) SHA-256 of the service port name and the
// lower-case protocol — plus the endpoint "ip:port" for a KUBE-SEP chain — because chain names are
// limited to 28 characters.
import { createHash } from 'node:crypto';

const BASE32 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';

/** base32.StdEncoding.EncodeToString (padding is never reached by the 16 characters we keep). */
export function base32(bytes: Uint8Array): string {
  let out = '';
  let buffer = 0;
  let bits = 0;
  for (const byte of bytes) {
    buffer = (buffer << 8) | byte;
    bits += 8;
    while (bits >= 5) {
      out += BASE32[(buffer >>> (bits - 5)) & 31];
      bits -= 5;
    }
    buffer &= (1 << bits) - 1;
  }
  if (bits > 0) out += BASE32[(buffer << (5 - bits)) & 31];
  return out;
}

// Names are recomputed on every sync for every service port and endpoint; remembering them (as the
// proxier's servicePortInfo/endpointInfo do) keeps a sync of thousands of endpoints cheap.
const memo = new Map<string, string>();
const MEMO_LIMIT = 200_000;

function hash16(text: string): string {
  let hash = memo.get(text);
  if (hash === undefined) {
    if (memo.size >= MEMO_LIMIT) memo.clear();
    hash = base32(createHash('sha256').update(text).digest()).slice(0, 16);
    memo.set(text, hash);
  }
  return hash;
}

/** portProtoHash(servicePortName, protocol). */
export function portProtoHash(servicePortName: string, protocol: string): string {
  return hash16(servicePortName + protocol.toLowerCase());
}

export const serviceChain = (name: string, protocol: string) => `KUBE-SVC-${portProtoHash(name, protocol)}`;
export const localPolicyChain = (name: string, protocol: string) => `KUBE-SVL-${portProtoHash(name, protocol)}`;
export const externalChain = (name: string, protocol: string) => `KUBE-EXT-${portProtoHash(name, protocol)}`;
export const firewallChain = (name: string, protocol: string) => `KUBE-FW-${portProtoHash(name, protocol)}`;

export function endpointChain(name: string, protocol: string, endpoint: string): string {
  return `KUBE-SEP-${hash16(name + protocol.toLowerCase() + endpoint)}`;
}
