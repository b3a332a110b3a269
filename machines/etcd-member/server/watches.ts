import type { WatchCreateRequest } from '../../../src/etcd/protocol.ts';
import { send } from '../raft/persist.ts';
import type { MemberContext } from '../types.ts';
import { header } from './respond.ts';

/**
 * Watch streams, served by whichever member the client talks to, from that member's applied state.
 * The store's hub numbers watches itself; this maps its ids to the client's (client, watchId).
 */

function streamKey(client: string, watchId: string): string {
  return `${client}\u0000${watchId}`;
}

export function createWatch(ctx: MemberContext, client: string, watchId: string, request: WatchCreateRequest): void {
  const server = ctx.server;
  const key = streamKey(client, watchId);
  if (server.watchIds.has(key)) {
    send(ctx, client, {
      type: 'etcd.watch.response', watchId, header: header(ctx, server.kv.revision), events: [],
      created: true, canceled: true, cancelReason: 'mvcc: duplicate watch ID provided on the WatchStream',
    });
    return;
  }
  const id = server.kv.watch({
    key: request.key, rangeEnd: request.rangeEnd, prefix: request.prefix, startRevision: request.startRevision,
    prevKv: request.prevKv, progressNotify: request.progressNotify,
  });
  server.watchStreams.set(id, { client, watchId, nextSeq: 0 });
  server.watchIds.set(key, id);
  flushWatchResponses(ctx);
}

export function cancelWatch(ctx: MemberContext, client: string, watchId: string): void {
  const id = ctx.server.watchIds.get(streamKey(client, watchId));
  if (id === undefined) return;
  ctx.server.kv.cancelWatch(id);
  flushWatchResponses(ctx);
}

export function requestWatchProgress(ctx: MemberContext, client: string, watchId: string): void {
  const id = ctx.server.watchIds.get(streamKey(client, watchId));
  if (id === undefined) return;
  ctx.server.kv.requestWatchProgress(id);
  flushWatchResponses(ctx);
}

/** Sends every response the hub produced to the stream it belongs to. */
export function flushWatchResponses(ctx: MemberContext): void {
  const server = ctx.server;
  for (const r of server.kv.drainWatchResponses()) {
    const stream = server.watchStreams.get(r.watchId);
    if (!stream) continue;
    // PLANTED BUG 'watch-skips-revision': silently drop the events of every 7th revision.
    if (ctx.config.plant === 'watch-skips-revision' && r.events.length > 0 && r.events[0].kv.modRevision % 7 === 0) continue;
    send(ctx, stream.client, {
      type: 'etcd.watch.response',
      watchId: stream.watchId,
      seq: stream.nextSeq++,
      header: header(ctx, r.header.revision),
      events: r.events,
      ...(r.created ? { created: true } : {}),
      ...(r.canceled ? { canceled: true } : {}),
      ...(r.cancelReason ? { cancelReason: r.cancelReason } : {}),
      ...(r.compactRevision !== undefined ? { compactRevision: r.compactRevision } : {}),
      ...(r.progressNotify ? { progressNotify: true } : {}),
    });
    if (r.canceled) {
      server.watchStreams.delete(r.watchId);
      server.watchIds.delete(streamKey(stream.client, stream.watchId));
    }
  }
}
