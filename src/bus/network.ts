import type { Random } from '../sim/random.ts';
import { hostOf, type Address } from './envelope.ts';

/** One-way latency, drawn per message. */
export type Latency =
  | { kind: 'constant'; ms: number }
  | { kind: 'uniform'; minMs: number; maxMs: number }
  | { kind: 'exponential'; meanMs: number; minMs?: number }
  | { kind: 'normal'; meanMs: number; stddevMs: number; minMs?: number };

/** The behaviour of one directed link. Probabilities are per message. */
export interface LinkModel {
  latency: Latency;
  drop: number;
  duplicate: number;
  /** Off: the link is FIFO (a message never overtakes an earlier one). On: each message's latency is independent. */
  reorder: boolean;
}

export const DEFAULT_LINK: LinkModel = Object.freeze({
  latency: Object.freeze({ kind: 'uniform', minMs: 1, maxMs: 3 }) as Latency,
  drop: 0,
  duplicate: 0,
  reorder: false,
});

/** A set of addresses; an entry names one address or a whole host (`node-2` covers `node-2/kubelet`). */
export type AddressSet = readonly string[];

export interface Partition {
  readonly id: string;
  readonly from: AddressSet;
  readonly to: AddressSet;
  /** One-way: only messages from `from` to `to` are cut. Symmetric: both directions. */
  readonly oneWay: boolean;
}

/**
 * The network: a default link model, per-link overrides (directed, by address or host) and active
 * partitions. Decisions are drawn from the network's own random stream, in send order.
 */
export class Network {
  private defaults: LinkModel;
  /** Link overrides as named layers, applied in the order they were added (later layers win). */
  private readonly layers = new Map<string, { from: string; to: string; model: Partial<LinkModel> }>();
  private readonly partitions = new Map<string, { partition: Partition; from: Set<string>; to: Set<string> }>();
  /** Resolved link models, cached per directed pair; cleared on any change. */
  private readonly resolved = new Map<Address, Map<Address, LinkModel>>();

  constructor(
    private readonly random: Random,
    defaults: Partial<LinkModel> = {},
  ) {
    this.defaults = { ...DEFAULT_LINK, ...defaults };
  }

  setDefaults(model: Partial<LinkModel>): void {
    this.defaults = { ...this.defaults, ...model };
    this.resolved.clear();
  }

  /**
   * Overrides the links from → to (each an address, a host, or `*` for any) with a named layer. Layers
   * stack, so two overlapping degradations of one link each restore correctly when removed.
   */
  addLayer(id: string, from: string, to: string, model: Partial<LinkModel>): void {
    this.layers.delete(id);
    this.layers.set(id, { from, to, model });
    this.resolved.clear();
  }

  removeLayer(id: string): void {
    if (this.layers.delete(id)) this.resolved.clear();
  }

  link(from: Address, to: Address): LinkModel {
    let row = this.resolved.get(from);
    if (!row) this.resolved.set(from, (row = new Map()));
    let model = row.get(to);
    if (!model) {
      model = this.defaults;
      for (const layer of this.layers.values()) {
        if (matches(layer.from, from) && matches(layer.to, to)) model = { ...model, ...layer.model };
      }
      row.set(to, model);
    }
    return model;
  }

  partition(partition: Partition): void {
    this.partitions.set(partition.id, {
      partition,
      from: new Set(partition.from),
      to: new Set(partition.to),
    });
  }

  heal(id?: string): void {
    if (id === undefined) this.partitions.clear();
    else this.partitions.delete(id);
  }

  activePartitions(): Partition[] {
    return [...this.partitions.values()].map((p) => p.partition);
  }

  /** True when an active partition cuts the directed path from → to. */
  isCut(from: Address, to: Address): boolean {
    if (this.partitions.size === 0) return false;
    for (const { partition, from: a, to: b } of this.partitions.values()) {
      if (inSet(a, from) && inSet(b, to)) return true;
      if (!partition.oneWay && inSet(b, from) && inSet(a, to)) return true;
    }
    return false;
  }

  /** Draws this message's latency on the link. */
  latency(model: LinkModel): number {
    const l = model.latency;
    switch (l.kind) {
      case 'constant':
        return l.ms;
      case 'uniform':
        return l.minMs + this.random.next() * (l.maxMs - l.minMs);
      case 'exponential':
        return (l.minMs ?? 0) + this.random.exponential(l.meanMs);
      case 'normal':
        return Math.max(l.minMs ?? 0, this.random.normal(l.meanMs, l.stddevMs));
    }
  }

  /** Draws whether to lose a message. No draw when the probability is zero, so a clean network stays cheap. */
  drops(model: LinkModel): boolean {
    return model.drop > 0 && this.random.next() < model.drop;
  }

  duplicates(model: LinkModel): boolean {
    return model.duplicate > 0 && this.random.next() < model.duplicate;
  }
}

function matches(pattern: string, address: Address): boolean {
  return pattern === '*' || pattern === address || pattern === hostOf(address);
}

function inSet(set: Set<string>, address: Address): boolean {
  return set.has(address) || set.has(hostOf(address));
}
