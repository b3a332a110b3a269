// Pod IP allocation from the node's podCIDR, host-local style: the network address, the gateway (.1, the
// bridge) and the broadcast address are never handed out. As host-local does, allocation continues
// round-robin after the last address reserved, so a replacement pod does not get the IP of the pod it
// replaces (a stale kube-proxy rule to a deleted pod's IP must miss, not land on its successor). The state
// is plain JSON and durable: host-local keeps its reservations and `last_reserved_ip` on disk.

export interface IpamState {
  readonly cidr: string;
  /** ip → pod uid */
  readonly allocated: Readonly<Record<string, string>>;
  /** host-local's last_reserved_ip.0: where the next search starts (after it). */
  readonly lastReserved?: string;
}

interface Range {
  readonly network: number;
  readonly size: number;
}

function parseIPv4(text: string): number {
  const parts = text.split('.');
  if (parts.length !== 4 || parts.some((p) => !/^\d{1,3}$/.test(p) || Number(p) > 255)) throw new Error(`invalid IPv4 address ${JSON.stringify(text)}`);
  return parts.reduce((acc, p) => acc * 256 + Number(p), 0);
}

export function formatIPv4(n: number): string {
  return [24, 16, 8, 0].map((shift) => Math.floor(n / 2 ** shift) % 256).join('.');
}

function parseCidr(cidr: string): Range {
  const [ip, bits, extra] = cidr.split('/');
  const prefix = Number(bits);
  if (extra !== undefined || !/^\d+$/.test(bits ?? '') || prefix > 30) throw new Error(`invalid pod CIDR ${JSON.stringify(cidr)} (an IPv4 /0–/30 is needed)`);
  const size = 2 ** (32 - prefix);
  const address = parseIPv4(ip);
  return { network: address - (address % size), size };
}

export function newIpam(cidr: string): IpamState {
  parseCidr(cidr);
  return { cidr, allocated: {} };
}

/** The gateway address (.1 of the range): the bridge on the node. */
export function gatewayIP(state: IpamState): string {
  return formatIPv4(parseCidr(state.cidr).network + 1);
}

export type AllocateResult =
  | { readonly ok: true; readonly state: IpamState; readonly ip: string }
  | { readonly ok: false; readonly state: IpamState; readonly error: string };

/** The pod's IP: its existing one (a retried CNI ADD is idempotent), or the next free one after the last reserved. */
export function allocateIP(state: IpamState, podUid: string): AllocateResult {
  const existing = podIP(state, podUid);
  if (existing !== undefined) return { ok: true, state, ip: existing };
  const { network, size } = parseCidr(state.cidr);
  const first = network + 2;
  const usable = size - 3;
  const last = state.lastReserved === undefined ? undefined : parseIPv4(state.lastReserved);
  const start = last === undefined || last < first || last >= first + usable ? first : last + 1;
  for (let i = 0; i < usable; i++) {
    const n = first + ((start - first + i) % usable);
    const ip = formatIPv4(n);
    if (state.allocated[ip] === undefined) {
      return { ok: true, ip, state: { ...state, allocated: { ...state.allocated, [ip]: podUid }, lastReserved: ip } };
    }
  }
  const error = `failed to allocate for range 0: no IP addresses available in range set: ${formatIPv4(network + 1)}-${formatIPv4(network + size - 2)}`;
  return { ok: false, state, error };
}

/** Free the pod's address (pod deleted). Releasing an unknown pod is a no-op, as CNI DEL is. */
export function releaseIP(state: IpamState, podUid: string): IpamState {
  const allocated = Object.fromEntries(Object.entries(state.allocated).filter(([, uid]) => uid !== podUid));
  return { ...state, allocated };
}

export function podIP(state: IpamState, podUid: string): string | undefined {
  return Object.keys(state.allocated).find((ip) => state.allocated[ip] === podUid);
}
