import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A local bridge between a run and the Stately inspector UI, bound to 127.0.0.1 only: the run's
 * WebSocket inspector sends its events here, and every browser that opens the page gets them all,
 * replayed from the start (a virtual-time run is over long before anyone opens a browser).
 * @statelyai/inspect/server does the same but listens on every interface and keeps 200 events.
 */
export interface BridgeServer {
  /** `ws://127.0.0.1:<port>` — where the run's inspector connects. */
  readonly url: string;
  /** `http://127.0.0.1:<port>` — the page to open in a browser. */
  readonly pageUrl: string;
  /** Messages received from the run so far. */
  received(): number;
  close(): Promise<void>;
}

/** Keeps this many events for late browsers; older ones are dropped. */
const MAX_BUFFERED = 100_000;

interface WsSocket {
  readyState: number;
  send(data: string): void;
  on(event: 'message', listener: (data: { toString(): string }) => void): void;
}

interface WsServer {
  clients: Set<WsSocket>;
  on(event: 'connection', listener: (socket: WsSocket) => void): void;
  close(callback?: () => void): void;
}

type WsModule = { WebSocketServer: new (options: { server: Server }) => WsServer };

/** Starts the bridge; `port` 0 picks a free one. */
export async function startBridgeServer(port: number, inspectorUrl = 'https://stately.ai/inspect'): Promise<BridgeServer> {
  // `ws` comes with @statelyai/inspect and ships no types; the specifier is a variable so tsc does not ask for them.
  const wsSpecifier = 'ws';
  const { WebSocketServer } = (await import(wsSpecifier)) as WsModule;
  const buffer: string[] = [];
  let count = 0;
  let runSocket: WsSocket | undefined;
  let actualPort = port;
  const http = createServer((_request, response) => {
    response.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
    response.end(bridgePage(actualPort, inspectorUrl));
  });
  const wss = new WebSocketServer({ server: http });
  wss.on('connection', (socket) => {
    for (const message of buffer) socket.send(message);
    socket.on('message', (data) => {
      // The first socket to send is the run; the others are browsers listening.
      runSocket ??= socket;
      const message = data.toString();
      count++;
      buffer.push(message);
      if (buffer.length > MAX_BUFFERED) buffer.shift();
      for (const client of wss.clients) if (client !== runSocket && client.readyState === 1) client.send(message);
    });
  });
  await new Promise<void>((resolve, reject) => {
    http.once('error', reject);
    http.listen(port, '127.0.0.1', () => resolve());
  });
  actualPort = (http.address() as AddressInfo).port;
  return {
    url: `ws://127.0.0.1:${actualPort}`,
    pageUrl: `http://127.0.0.1:${actualPort}`,
    received: () => count,
    close: () =>
      new Promise<void>((resolve) => {
        for (const client of wss.clients) (client as unknown as { terminate?: () => void }).terminate?.();
        wss.close(() => http.close(() => resolve()));
      }),
  };
}

function bridgePage(port: number, inspectorUrl: string): string {
  return `<!DOCTYPE html>
<html>
<head><meta charset="utf-8"><title>kubesim inspector</title>
<style>* { margin: 0; padding: 0; } html, body { height: 100%; } iframe { width: 100%; height: 100%; border: none; }</style>
</head>
<body>
<iframe id="inspector" src="${inspectorUrl}"></iframe>
<script>
  const iframe = document.getElementById('inspector');
  const pending = [];
  let connected = false;
  window.addEventListener('message', (e) => {
    if (e.data && e.data.type === '@statelyai.connected') {
      connected = true;
      for (const event of pending.splice(0)) iframe.contentWindow.postMessage(event, '*');
    }
  });
  const ws = new WebSocket('ws://127.0.0.1:${port}');
  ws.onmessage = (event) => {
    const data = JSON.parse(event.data);
    if (connected) iframe.contentWindow.postMessage(data, '*');
    else pending.push(data);
  };
</script>
</body>
</html>
`;
}
