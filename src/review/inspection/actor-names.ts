import type { InspectionEvent } from 'xstate';

/**
 * Remembers which component each inspected actor runs, so the inspector lists actors by address
 * (`etcd-2`, `etcd-2 (incarnation 1)` after a restart) instead of by machine id. The host gives every
 * actor its address and incarnation in its input.
 */
export class ActorNames {
  private readonly bySession = new Map<string, string>();

  /** Call with every inspection event before the inspector sees it. */
  observe(event: InspectionEvent): void {
    if (event.type !== '@xstate.actor') return;
    const input = (event.actorRef as { options?: { input?: { address?: unknown; incarnation?: unknown } } }).options?.input;
    if (typeof input?.address !== 'string') return;
    const incarnation = typeof input.incarnation === 'number' && input.incarnation > 0 ? ` (incarnation ${input.incarnation})` : '';
    this.bySession.set(event.actorRef.sessionId, `${input.address}${incarnation}`);
  }

  nameOf(sessionId: string): string | undefined {
    return this.bySession.get(sessionId);
  }

  /** For the inspector's `serialize` option: renames actor registrations it knows. */
  readonly rename = <E extends { type: string; sessionId: string; name?: string }>(event: E): E => {
    const name = event.type === '@xstate.actor' ? this.bySession.get(event.sessionId) : undefined;
    return name === undefined ? event : { ...event, name };
  };
}
