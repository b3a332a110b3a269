// The scheduler cache's nodeTree: nodes grouped by zone, listed zone by zone in round robin so the
// filter scan (which starts where the previous cycle stopped) walks the zones evenly.
import type { Node } from 'kubernetes-types/core/v1.js';

const ZONE_LABELS = ['topology.kubernetes.io/zone', 'failure-domain.beta.kubernetes.io/zone'];
const REGION_LABELS = ['topology.kubernetes.io/region', 'failure-domain.beta.kubernetes.io/region'];

function firstLabel(node: Node, keys: readonly string[]): string {
  const labels = node.metadata?.labels ?? {};
  for (const k of keys) if (labels[k]) return labels[k];
  return '';
}

/** utilnode.GetZoneKey: "region:\x00:zone", or "" when the node has neither label. */
export function zoneKey(node: Node): string {
  const zone = firstLabel(node, ZONE_LABELS);
  const region = firstLabel(node, REGION_LABELS);
  return region === '' && zone === '' ? '' : `${region}:\u0000:${zone}`;
}

export class NodeTree {
  /** Zones in the order they first appeared. */
  private readonly zones: string[] = [];
  private readonly tree = new Map<string, string[]>();
  private readonly zoneOf = new Map<string, string>();

  get size(): number {
    return this.zoneOf.size;
  }

  add(node: Node): void {
    const name = node.metadata?.name ?? '';
    if (this.zoneOf.has(name)) return;
    const zone = zoneKey(node);
    const members = this.tree.get(zone);
    if (members === undefined) {
      this.zones.push(zone);
      this.tree.set(zone, [name]);
    } else {
      members.push(name);
    }
    this.zoneOf.set(name, zone);
  }

  remove(name: string): void {
    const zone = this.zoneOf.get(name);
    if (zone === undefined) return;
    this.zoneOf.delete(name);
    const rest = this.tree.get(zone)!.filter((n) => n !== name);
    if (rest.length > 0) {
      this.tree.set(zone, rest);
      return;
    }
    this.tree.delete(zone);
    this.zones.splice(this.zones.indexOf(zone), 1);
  }

  /** A node whose zone labels changed moves to the end of its new zone; true if it moved. */
  update(node: Node): boolean {
    const name = node.metadata?.name ?? '';
    if (this.zoneOf.get(name) === zoneKey(node)) return false;
    this.remove(name);
    this.add(node);
    return true;
  }

  /** nodeTree.list: the i-th node of every zone, for i = 0, 1, … */
  list(): string[] {
    const out: string[] = [];
    for (let i = 0; out.length < this.zoneOf.size; i++) {
      for (const zone of this.zones) {
        const members = this.tree.get(zone)!;
        if (i < members.length) out.push(members[i]);
      }
    }
    return out;
  }
}
