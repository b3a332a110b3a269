// Invariants of the runtime's durable state, checked by the review tooling on every explored state and by
// tests: containers live in sandboxes that exist, nothing runs in a stopped sandbox, no pod IP leaks.
import type { RuntimeSnapshot } from '../../src/kubelet/cri.ts';

/** The first violated invariant, or null. */
export function runtimeInvariantViolation(snapshot: RuntimeSnapshot): string | null {
  const { runtime, ipam } = snapshot;
  for (const c of Object.values(runtime.containers)) {
    const sandbox = runtime.sandboxes[c.sandboxId];
    if (!sandbox) return `container ${c.name} (${c.id.slice(0, 12)}) has no sandbox`;
    if (sandbox.podUid !== c.podUid) return `container ${c.name} belongs to pod ${c.podUid} but its sandbox to ${sandbox.podUid}`;
    if (c.state === 'running' && sandbox.state !== 'ready') return `container ${c.name} runs in a stopped sandbox`;
  }
  const podsWithSandboxes = new Set(Object.values(runtime.sandboxes).map((s) => s.podUid));
  for (const [ip, uid] of Object.entries(ipam.allocated)) {
    if (!podsWithSandboxes.has(uid)) return `IP ${ip} is held by pod ${uid}, which has no sandbox`;
  }
  return null;
}
