// kuberuntime startContainer for one container: ensure the image (cache, pull policy, pull back-off, the
// pull itself), then create and start it — with the image manager's and kuberuntime's events and the reason
// cache entries (ErrImagePull, ImagePullBackOff, ErrImageNeverPull) a failed attempt leaves behind.
import type { Container, Pod } from 'kubernetes-types/core/v1.js';
import { backoffNext, imagePullKey, isInBackOffSinceUpdate } from './backoff.ts';
import type { BackoffState } from './backoff.ts';
import { kubeletEvents } from './events.ts';
import type { KubeletEvent } from './events.ts';
import type { PendingPull } from './kubelet-state.ts';
import type { WaitingReason } from './pod-status.ts';
import { decideImage } from './registry.ts';
import type { RegistryConfig } from './registry.ts';
import { advance, createContainer, forgetPull, latestContainer, pullImage, startContainer } from './runtime.ts';
import type { RuntimeState } from './runtime.ts';
import { containerBehavior } from './workload.ts';

/** The parts of the kubelet's state a start attempt reads and changes. */
export interface StartContext {
  readonly pod: Pod;
  readonly sandboxId: string;
  readonly registry: RegistryConfig;
  readonly now: number;
  runtime: RuntimeState;
  pullBackoff: BackoffState;
  reasons: Record<string, WaitingReason>;
  pulls: Record<string, PendingPull>;
  events: KubeletEvent[];
  /** Pulls other pods still wait on: their records must not be forgotten yet. */
  readonly pullsInUse: ReadonlySet<string>;
}

export type StartOutcome = 'started' | 'pulling' | 'failed';

/** Records events, stamped with the CRI calls made so far in the round (KubeletEvent.afterCalls). */
export function record(ctx: { readonly runtime: RuntimeState; readonly events: KubeletEvent[] }, ...events: readonly KubeletEvent[]): void {
  const made = ctx.runtime.journal?.length;
  for (const event of events) ctx.events.push(made === undefined ? event : { ...event, afterCalls: made });
}

function fail(ctx: StartContext, name: string, reason: string, message: string): StartOutcome {
  ctx.reasons = { ...ctx.reasons, [name]: { reason, message } };
  record(ctx, kubeletEvents.failed(ctx.pod, name, reason, ctx.now));
  return 'failed';
}

// The outcome of a pull the pod worker was waiting on: null while it is still running.
function consumePull(ctx: StartContext, container: Container, pending: PendingPull): StartOutcome | 'ready' | null {
  const pull = ctx.runtime.pulls[pending.pullId];
  if (pull !== undefined && !pull.done) return null;
  const { [container.name]: _done, ...pulls } = ctx.pulls;
  ctx.pulls = pulls;
  if (pull === undefined) return 'ready';
  if (!ctx.pullsInUse.has(pull.id)) ctx.runtime = forgetPull(ctx.runtime, pull.id);
  const uid = ctx.pod.metadata?.uid ?? '';
  if (!pull.result.ok) {
    record(ctx, kubeletEvents.pullFailed(ctx.pod, container.name, pending.image, pull.result.error, pull.doneAt));
    ctx.pullBackoff = backoffNext(ctx.pullBackoff, imagePullKey(uid, pending.image), pull.doneAt);
    return fail(ctx, container.name, 'ErrImagePull', pull.result.error);
  }
  const pullMs = pull.doneAt - pull.startedAt;
  record(ctx, kubeletEvents.pulled(ctx.pod, container.name, pending.image, pullMs, pull.doneAt - pending.requestedAt, pull.result.image.sizeBytes, pull.doneAt));
  return 'ready';
}

function ensureImage(ctx: StartContext, container: Container): StartOutcome | 'ready' {
  const pending = ctx.pulls[container.name];
  if (pending) return consumePull(ctx, container, pending) ?? 'pulling';
  const image = container.image ?? '';
  const decision = decideImage(ctx.runtime.images, container);
  if (decision.kind === 'present') {
    record(ctx, kubeletEvents.alreadyPresent(ctx.pod, container.name, image, ctx.now));
    return 'ready';
  }
  if (decision.kind === 'never-pull') {
    record(ctx, kubeletEvents.neverPull(ctx.pod, container.name, decision.message, ctx.now));
    return fail(ctx, container.name, 'ErrImageNeverPull', decision.message);
  }
  const uid = ctx.pod.metadata?.uid ?? '';
  if (isInBackOffSinceUpdate(ctx.pullBackoff, imagePullKey(uid, image), ctx.now)) {
    const message = kubeletEvents.pullBackOff(ctx.pod, container.name, image, ctx.now);
    record(ctx, message);
    return fail(ctx, container.name, 'ImagePullBackOff', message.message);
  }
  record(ctx, kubeletEvents.pulling(ctx.pod, container.name, image, ctx.now));
  const requested = pullImage(ctx.runtime, image, ctx.registry, ctx.now);
  // A zero-latency pull (or one joined just as it finishes) completes within this sync.
  const advanced = advance(requested.state, ctx.now);
  ctx.runtime = advanced.state;
  const next: PendingPull = { pullId: requested.pullId, image, requestedAt: ctx.now };
  ctx.pulls = { ...ctx.pulls, [container.name]: next };
  return consumePull(ctx, container, next) ?? 'pulling';
}

/** Try to start `container` now: image, then CreateContainer and StartContainer (restartCount = previous + 1). */
export function startPodContainer(ctx: StartContext, container: Container): StartOutcome {
  const image = ensureImage(ctx, container);
  if (image !== 'ready') return image;
  const uid = ctx.pod.metadata?.uid ?? '';
  const previous = latestContainer(ctx.runtime, uid, container.name);
  const created = createContainer(
    ctx.runtime,
    { sandboxId: ctx.sandboxId, container, attempt: previous ? previous.attempt + 1 : 0, behavior: containerBehavior(ctx.pod, container.name) },
    ctx.now,
  );
  ctx.runtime = created.state;
  record(ctx, kubeletEvents.created(ctx.pod, container.name, ctx.now));
  ctx.runtime = startContainer(ctx.runtime, created.containerId, ctx.now);
  record(ctx, kubeletEvents.started(ctx.pod, container.name, ctx.now));
  const { [container.name]: _cleared, ...reasons } = ctx.reasons;
  ctx.reasons = reasons;
  return 'started';
}
