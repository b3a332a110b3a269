import type { HostedEmitted } from '../../src/host/contract.ts';
import { applyCommitted } from './server/apply.ts';
import { onLeaderChanged } from './server/requests.ts';
import { flushResponseBatches } from './server/respond.ts';
import type { InternalEvent, MemberContext } from './types.ts';

/** What an action may enqueue: the subset of XState's `enqueue` this module uses. */
export interface Enqueue {
  emit: (event: HostedEmitted) => void;
  raise: (event: InternalEvent) => void;
}

/**
 * The end of every action: apply what became committed, react to a change of leader, add the step's
 * batched client answers, then hand the effects collected on the outbox to XState (in order: disk writes
 * and syncs before the messages that depend on them) and ask the chart for a ready cycle if the leader has
 * something to send.
 */
export function finishStep(ctx: MemberContext, enqueue: Enqueue): void {
  const raft = ctx.raft;
  ctx.steps++;
  if (raft.applied < raft.commit || (ctx.config.plant === 'apply-before-commit' && raft.applied < raft.persistedIndex)) {
    applyCommitted(ctx);
  }
  if (raft.leader !== ctx.server.knownLeader) {
    ctx.server.knownLeader = raft.leader;
    onLeaderChanged(ctx, raft.leader);
  }
  flushResponseBatches(ctx);
  const outbox = ctx.outbox;
  for (let i = 0; i < outbox.length; i++) enqueue.emit(outbox[i]);
  outbox.length = 0;
  if (raft.readyWanted) {
    raft.readyWanted = false;
    // One event per ready cycle: while one is scheduled, the chart would ignore another request anyway.
    if (raft.role === 'leader' && !raft.readyScheduled) {
      raft.readyScheduled = true;
      enqueue.raise({ type: 'member.readyRequested' });
    }
  }
}
