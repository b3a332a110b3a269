// IPv4 addresses as unsigned 32-bit numbers: the service CIDR arithmetic the allocators need. IPv6 is
// recognised only to be refused (the modelled cluster is single-stack IPv4).

/** "10.96.0.1" → 0x0a600001; undefined unless four dotted decimal octets (Go's ParseIP, IPv4 form). */
export function parseIPv4(text: string): number | undefined {
  const parts = text.split('.');
  if (parts.length !== 4) return undefined;
  let value = 0;
  for (const part of parts) {
    if (!/^[0-9]{1,3}$/.test(part)) return undefined;
    const octet = Number(part);
    if (octet > 255) return undefined;
    value = value * 256 + octet;
  }
  return value;
}

export function formatIPv4(value: number): string {
  return [24, 16, 8, 0].map((shift) => Math.floor(value / 2 ** shift) % 256).join('.');
}

/** A loose IPv6 check (hex groups and colons): enough to tell "not configured on this cluster" from garbage. */
export function looksLikeIPv6(text: string): boolean {
  return text.includes(':') && /^[0-9a-fA-F:.]+$/.test(text);
}

export interface Cidr {
  readonly text: string;
  /** The network address. */
  readonly network: number;
  readonly prefixLength: number;
  /** Addresses in the block, network and broadcast included. */
  readonly size: number;
}

export function parseCidr(text: string): Cidr {
  const [address, length] = text.split('/');
  const network = parseIPv4(address ?? '');
  const prefixLength = Number(length);
  if (network === undefined || !Number.isInteger(prefixLength) || prefixLength < 0 || prefixLength > 32) {
    throw new Error(`invalid CIDR address: ${text}`);
  }
  const size = 2 ** (32 - prefixLength);
  if (network % size !== 0) throw new Error(`invalid CIDR address: ${text} (host bits set)`);
  return { text, network, prefixLength, size };
}

export function cidrContains(cidr: Cidr, ip: number): boolean {
  return ip >= cidr.network && ip < cidr.network + cidr.size;
}
