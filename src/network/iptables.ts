// A small netfilter: walks the iptables rules kube-proxy wrote (kernel.ts) for one packet, the way the
// kernel would for a new connection — nat table first (PREROUTING for traffic from a pod, OUTPUT for
// traffic from the node itself), then the filter table — and reports the verdict: DNAT to an endpoint,
// REJECT, DROP, or nothing (the packet goes on unchanged). It understands exactly the matches and
// targets kube-proxy uses; anything else is reported as an error rather than guessed.
import type { IptablesTables, L4Protocol } from './kernel.ts';
import { parseCidr, parseIPv4 } from '../apiserver/allocators/ipv4.ts';

export interface Packet {
  readonly src: string;
  readonly dst: string;
  readonly dport: number;
  readonly protocol: L4Protocol;
}

/** Per-node state the kernel keeps between connections: `-m recent` lists (ClientIP affinity). */
export interface NetfilterState {
  /** list name → source IP → last seen (ms). */
  readonly recent: Map<string, Map<string, number>>;
}

export interface WalkContext {
  readonly localAddresses: ReadonlySet<string>;
  /** Uniform in [0, 1), one draw per `-m statistic` rule evaluated. */
  readonly random: () => number;
  readonly now: number;
  readonly state: NetfilterState;
}

export type Verdict =
  | { kind: 'dnat'; to: string; chains: string[] }
  | { kind: 'reject'; chains: string[]; comment?: string }
  | { kind: 'drop'; chains: string[]; comment?: string }
  | { kind: 'accept'; chains: string[] };

/** One match of a rule, compiled once from its words. */
type Match =
  | { kind: 'protocol'; negate: boolean; value: string }
  | { kind: 'dst' | 'src'; negate: boolean; ip?: string; network?: number; size?: number }
  | { kind: 'dport'; negate: boolean; value: number }
  | { kind: 'dstLocal' | 'srcLocal'; negate: boolean }
  | { kind: 'probability'; negate: boolean; value: number }
  | { kind: 'ctstateNew'; negate: boolean; value: boolean }
  | { kind: 'mark'; negate: boolean; value: number; mask: number };

interface Recent {
  readonly name: string;
  readonly check: boolean;
  readonly set: boolean;
  readonly seconds?: number;
}

interface Rule {
  readonly line: string;
  readonly matches: readonly Match[];
  readonly recent?: Recent;
  readonly target: string;
  readonly targetArgs: readonly string[];
  readonly comment?: string;
}

type Table = ReadonlyMap<string, readonly Rule[]>;

export function newNetfilterState(): NetfilterState {
  return { recent: new Map() };
}

/** Splits an iptables-save rule into words, keeping "quoted strings" whole (without the quotes). */
export function tokenize(line: string): string[] {
  const tokens: string[] = [];
  const re = /"([^"]*)"|(\S+)/g;
  for (let m = re.exec(line); m; m = re.exec(line)) tokens.push(m[1] ?? m[2]);
  return tokens;
}

const parsed = new WeakMap<readonly string[], Table>();

function parseTable(lines: readonly string[]): Table {
  const cached = parsed.get(lines);
  if (cached) return cached;
  const table = new Map<string, Rule[]>();
  for (const line of lines) {
    if (!line.startsWith('-A ')) continue;
    const tokens = tokenize(line);
    const chain = tokens[1];
    const list = table.get(chain) ?? [];
    list.push(compileRule(line, tokens));
    table.set(chain, list);
  }
  parsed.set(lines, table);
  return table;
}

function addressMatch(kind: 'dst' | 'src', negate: boolean, spec: string): Match {
  if (!spec.includes('/')) return { kind, negate, ip: spec };
  const cidr = parseCidr(spec);
  return { kind, negate, network: cidr.network, size: cidr.size };
}

function compileRule(line: string, tokens: readonly string[]): Rule {
  const j = tokens.indexOf('-j');
  const t = tokens.slice(2, j < 0 ? tokens.length : j);
  const matches: Match[] = [];
  let recent: { name: string; check: boolean; set: boolean; seconds?: number } | undefined;
  let comment: string | undefined;
  let negate = false;
  for (let i = 0; i < t.length; i++) {
    const word = t[i];
    switch (word) {
      case '!': negate = true; continue;
      case '-m': i++; if (t[i] === 'recent') recent = { name: '', check: false, set: false }; continue;
      case '--comment': comment = t[++i]; continue;
      case '--mode': i++; continue;
      case '-p': matches.push({ kind: 'protocol', negate, value: t[++i].toUpperCase() }); break;
      case '-d': matches.push(addressMatch('dst', negate, t[++i])); break;
      case '-s': matches.push(addressMatch('src', negate, t[++i])); break;
      case '--dport': matches.push({ kind: 'dport', negate, value: Number(t[++i]) }); break;
      case '--dst-type': matches.push({ kind: 'dstLocal', negate }); i++; break;
      case '--src-type': matches.push({ kind: 'srcLocal', negate }); i++; break;
      case '--probability': matches.push({ kind: 'probability', negate, value: Number(t[++i]) }); break;
      // Every connection walked here is a new one.
      case '--ctstate': matches.push({ kind: 'ctstateNew', negate, value: t[++i].split(',').includes('NEW') }); break;
      case '--mark': {
        const [value, mask] = t[++i].split('/').map((x) => Number(x));
        matches.push({ kind: 'mark', negate, value, mask: mask ?? 0xffffffff });
        break;
      }
      case '--name': recent!.name = t[++i]; continue;
      case '--rcheck': recent!.check = true; continue;
      case '--set': recent!.set = true; continue;
      case '--seconds': recent!.seconds = Number(t[++i]); continue;
      case '--reap': continue;
      default:
        throw new Error(`netfilter model: unsupported match "${word}" in: ${line}`);
    }
    negate = false;
  }
  return {
    line, matches, target: j < 0 ? '' : tokens[j + 1], targetArgs: j < 0 ? [] : tokens.slice(j + 2),
    ...(recent?.name ? { recent } : {}), ...(comment !== undefined ? { comment } : {}),
  };
}

interface PacketState {
  packet: Packet;
  /** The packet addresses as numbers (for CIDR matches). */
  srcValue: number;
  dstValue: number;
  mark: number;
}

function holds(m: Match, p: PacketState, ctx: WalkContext): boolean {
  switch (m.kind) {
    case 'protocol': return m.value === p.packet.protocol;
    case 'dst': return m.ip !== undefined ? m.ip === p.packet.dst : p.dstValue >= m.network! && p.dstValue < m.network! + m.size!;
    case 'src': return m.ip !== undefined ? m.ip === p.packet.src : p.srcValue >= m.network! && p.srcValue < m.network! + m.size!;
    case 'dport': return m.value === p.packet.dport;
    case 'dstLocal': return ctx.localAddresses.has(p.packet.dst);
    case 'srcLocal': return ctx.localAddresses.has(p.packet.src);
    case 'probability': return ctx.random() < m.value;
    case 'ctstateNew': return m.value;
    case 'mark': return (p.mark & m.mask) === m.value;
  }
}

/** Whether every match of the rule holds (consuming random draws for statistic matches it reaches). */
function matches(rule: Rule, p: PacketState, ctx: WalkContext): boolean {
  for (const m of rule.matches) {
    if (holds(m, p, ctx) === m.negate) return false;
  }
  const recent = rule.recent;
  if (recent) {
    const list = ctx.state.recent.get(recent.name) ?? new Map<string, number>();
    if (recent.check) {
      const seen = list.get(p.packet.src);
      if (seen === undefined || (recent.seconds !== undefined && ctx.now - seen > recent.seconds * 1000)) return false;
    }
    if (recent.set) {
      list.set(p.packet.src, ctx.now);
      ctx.state.recent.set(recent.name, list);
    }
  }
  return true;
}

type Walk = Verdict | { kind: 'return' };

function walkChain(table: Table, chain: string, p: PacketState, ctx: WalkContext, path: string[], depth = 0): Walk {
  if (depth > 32) throw new Error(`netfilter model: chain loop through ${chain}`);
  path.push(chain);
  for (const rule of table.get(chain) ?? []) {
    if (!matches(rule, p, ctx)) continue;
    switch (rule.target) {
      case 'ACCEPT': return { kind: 'accept', chains: path };
      case 'DROP': return { kind: 'drop', chains: path, ...(rule.comment ? { comment: rule.comment } : {}) };
      case 'REJECT': return { kind: 'reject', chains: path, ...(rule.comment ? { comment: rule.comment } : {}) };
      case 'RETURN': return { kind: 'return' };
      case 'DNAT': return { kind: 'dnat', to: rule.targetArgs[rule.targetArgs.indexOf('--to-destination') + 1], chains: path };
      case 'MARK': {
        const or = rule.targetArgs.indexOf('--or-mark');
        const xor = rule.targetArgs.indexOf('--xor-mark');
        if (or >= 0) p.mark |= Number(rule.targetArgs[or + 1]);
        if (xor >= 0) p.mark ^= Number(rule.targetArgs[xor + 1]);
        continue;
      }
      case 'MASQUERADE': case 'SNAT': case '': continue;
      default: {
        const result = walkChain(table, rule.target, p, ctx, path, depth + 1);
        if (result.kind !== 'return') return result;
      }
    }
  }
  return { kind: 'return' };
}

/** One table's hook (a built-in chain with policy ACCEPT). */
export function walkHook(lines: readonly string[], hook: string, packet: Packet, ctx: WalkContext): Verdict {
  const path: string[] = [];
  const state: PacketState = { packet, srcValue: parseIPv4(packet.src) ?? -1, dstValue: parseIPv4(packet.dst) ?? -1, mark: 0 };
  const result = walkChain(parseTable(lines), hook, state, ctx, path);
  return result.kind === 'return' ? { kind: 'accept', chains: path } : result;
}

/**
 * A new connection through the node's tables: nat (PREROUTING from a pod, OUTPUT from the node), then
 * — unless it was DNATed — filter (FORWARD or INPUT from a pod, OUTPUT from the node).
 */
export function walkIptables(tables: IptablesTables, packet: Packet, from: 'pod' | 'host', ctx: WalkContext): Verdict {
  const nat = walkHook(tables.nat, from === 'host' ? 'OUTPUT' : 'PREROUTING', packet, ctx);
  if (nat.kind === 'dnat' || nat.kind === 'drop' || nat.kind === 'reject') return nat;
  const filterHook = from === 'host' ? 'OUTPUT' : ctx.localAddresses.has(packet.dst) ? 'INPUT' : 'FORWARD';
  return walkHook(tables.filter, filterHook, packet, ctx);
}
