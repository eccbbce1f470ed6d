import { createServer, request as httpRequest, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface ReplicaSwitch {
  /** e.g. http://127.0.0.1:41234, where `/function/crud/…` reaches the current replica */
  origin: string;
  /** where requests go from now on */
  target: string;
  /** request body bytes that reached the switch, of every request so far */
  readonly bodyBytes: number;
  /** called with the running count as body bytes pass */
  onBodyBytes: ((total: number) => void) | undefined;
  /** the Upload-Offset of every answer to a HEAD (where a resumed upload went on from) */
  readonly headOffsets: number[];
  /** resolves once no request is passing through */
  idle(): Promise<void>;
  close(): Promise<void>;
}

/**
 * A gateway of the simplest kind in front of crud replicas: `/function/crud`
 * is taken off the path and the request passed to whichever replica is the
 * target now, counting the body bytes that the client got through. When the
 * replica dies under a request, the client's connection is cut as well, as a
 * gateway whose upstream went away does.
 */
export async function replicaSwitch(target: string): Promise<ReplicaSwitch> {
  let bodyBytes = 0;
  let inFlight = 0;
  const whenIdle: Array<() => void> = [];
  const finished = () => {
    if (--inFlight > 0) return;
    for (const resolve of whenIdle.splice(0)) resolve();
  };
  const state: ReplicaSwitch = {
    origin: '',
    target,
    get bodyBytes() {
      return bodyBytes;
    },
    onBodyBytes: undefined,
    headOffsets: [],
    idle: () => new Promise((resolve) => (inFlight === 0 ? resolve() : whenIdle.push(resolve))),
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
  const server: Server = createServer((req, res) => {
    inFlight++;
    res.once('close', finished);
    const url = new URL((req.url ?? '/').replace(/^\/function\/crud/, '') || '/', state.target);
    const upstream = httpRequest(url, { method: req.method, headers: { ...req.headers, host: url.host } }, (answer) => {
      if (req.method === 'HEAD' && answer.headers['upload-offset']) state.headOffsets.push(Number(answer.headers['upload-offset']));
      res.writeHead(answer.statusCode ?? 502, answer.headers);
      answer.pipe(res);
      answer.once('error', () => res.destroy());
    });
    upstream.once('error', () => {
      req.unpipe(upstream);
      res.destroy();
      req.socket.destroy();
    });
    req.on('data', (data: Buffer) => {
      bodyBytes += data.length;
      state.onBodyBytes?.(bodyBytes);
    });
    req.pipe(upstream);
  });
  server.keepAliveTimeout = 1000;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  state.origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const closeAll = server.close.bind(server);
  state.close = () =>
    new Promise((resolve) => {
      server.closeAllConnections();
      closeAll(() => resolve());
    });
  return state;
}
