// The kubelet's side of probes over the bus (src/kubelet/bus-probes.ts): once a second it sends
// `health.probe` to every address a pod it runs names in `kubesim.io/probe-address`, and records when the
// answers (`health.ok`, sent by that actor's host while it runs) come back. The prober reads the record.
import type { Pod } from 'kubernetes-types/core/v1.js';
import type { HealthOk } from '../../src/host/contract.ts';
import { HEALTH_PROBE } from '../../src/host/contract.ts';
import { answered, NO_HEALTH, PING_INTERVAL_MS, pinged, podProbeAddresses, type BusHealth } from '../../src/kubelet/bus-probes.ts';
import { storeGet } from '../../src/client/index.ts';
import type { KubeletActorState, Tx } from './state.ts';

function runningPods(state: KubeletActorState): Pod[] {
  return Object.values(state.workers).flatMap((w) => {
    const pod = w.static ? state.staticPods[w.uid] : storeGet(state.pods.store, w.key);
    return pod ? [pod] : [];
  });
}

/** A pod arrived that probes over the bus: start pinging (if not already). */
export function notePodProbes(tx: Tx, pod: Pod): void {
  if (tx.state.nextPingAt !== null) return;
  if (podProbeAddresses(pod, tx.state.config.node.name).length > 0) tx.update({ nextPingAt: tx.now });
}

/** Pings every probed address when due; forgets addresses no pod probes any more. */
export function pingIfDue(tx: Tx): void {
  const at = tx.state.nextPingAt;
  if (at === null || at > tx.now) return;
  const addresses = [...new Set(runningPods(tx.state).flatMap((p) => podProbeAddresses(p, tx.state.config.node.name)))].sort();
  const before = tx.state.core.busHealth ?? {};
  const busHealth: Record<string, BusHealth> = {};
  for (const address of addresses) {
    tx.send(address, { type: HEALTH_PROBE, id: tx.nextId('health') });
    busHealth[address] = pinged(before[address] ?? NO_HEALTH, tx.now);
  }
  tx.update({ core: { ...tx.state.core, busHealth }, nextPingAt: addresses.length > 0 ? tx.now + PING_INTERVAL_MS : null });
}

/** An answer: the address is alive now. */
export function onHealthOk(tx: Tx, message: HealthOk): void {
  const busHealth = tx.state.core.busHealth ?? {};
  const health = busHealth[message.from];
  if (health === undefined) return;
  tx.update({ core: { ...tx.state.core, busHealth: { ...busHealth, [message.from]: answered(health, tx.now) } } });
}

export function pingDeadline(state: KubeletActorState): number {
  return state.nextPingAt ?? Infinity;
}
