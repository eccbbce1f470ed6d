import { type IncomingHttpHeaders, type IncomingMessage, request as httpRequest } from 'node:http';
import { type Socket, connect, createServer } from 'node:net';

/** A loopback port nothing listens on (until someone takes it). */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** A raw request's answer, read whole: its status, headers and JSON body (undefined when empty). */
export function jsonAnswer(response: IncomingMessage): Promise<{ status: number; headers: IncomingHttpHeaders; body: any }> {
  return new Promise((resolve, reject) => {
    let text = '';
    response.setEncoding('utf8');
    response.on('data', (part: string) => (text += part));
    response.once('error', reject);
    response.once('end', () => {
      try {
        resolve({ status: response.statusCode ?? 0, headers: response.headers, body: text ? JSON.parse(text) : undefined });
      } catch (error) {
        reject(error);
      }
    });
  });
}

export interface TcpLink {
  /** from now on, connections pass on to the target */
  open(): void;
  /** cuts every connection, and from now on each new one as it arrives: the server is gone, or the network */
  cut(): void;
  close(): Promise<void>;
}

/**
 * A TCP port on loopback that passes connections on to `target` while it is
 * open, and cuts them while it is not: a server, or a network, that comes and
 * goes on cue. The port stays bound throughout, so nothing else takes it in
 * the meantime (not even the port of an outgoing connection to it, which the
 * kernel may pick from the same range and so connect a socket to itself).
 */
export async function tcpLink(port: number, target: { host: string; port: number }, { open = true } = {}): Promise<TcpLink> {
  const sockets = new Set<Socket>();
  let passing = open;
  const server = createServer((client) => {
    if (!passing) {
      client.destroy();
      return;
    }
    const upstream = connect(target.port, target.host);
    for (const socket of [client, upstream]) {
      sockets.add(socket);
      socket.once('close', () => sockets.delete(socket));
      socket.once('error', () => undefined);
    }
    client.once('close', () => upstream.destroy());
    upstream.once('close', () => client.destroy());
    client.pipe(upstream).pipe(client);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', resolve);
  });
  const cutAll = () => {
    for (const socket of sockets) socket.destroy();
  };
  return {
    open: () => {
      passing = true;
    },
    cut: () => {
      passing = false;
      cutAll();
    },
    close: () =>
      new Promise((resolve) => {
        cutAll();
        server.close(() => resolve());
      }),
  };
}

/**
 * A raw audio upload sent slowly: the headers, then `chunks` one by one,
 * `gapMs` apart, then nothing more (unless they add up to `declaredBytes`).
 * Resolves with the answer, which may come, and stop the sending, before the end.
 */
export function dripUpload(
  port: number,
  chunks: Buffer[],
  { gapMs, declaredBytes, path = '/tracks', headers = {} }: { gapMs: number; declaredBytes: number; path?: string; headers?: Record<string, string> },
): Promise<{ status: number; headers: IncomingHttpHeaders; body: any }> {
  return new Promise((resolve, reject) => {
    let answered = false;
    const request = httpRequest(
      { host: '127.0.0.1', port, method: 'POST', path, headers: { 'Content-Type': 'audio/wav', 'Content-Length': declaredBytes, 'X-Filename': 'slow.wav', ...headers } },
      (response) => {
        answered = true;
        jsonAnswer(response).then(resolve, reject);
      },
    );
    // a refusal may close the connection while the rest is still on its way
    request.on('error', (error) => (answered ? undefined : reject(error)));
    const next = (index: number) => {
      if (index < chunks.length && !answered && !request.destroyed) request.write(chunks[index], () => setTimeout(() => next(index + 1), gapMs));
      else if (index === chunks.length) request.end();
    };
    next(0);
  });
}

/** `bytes` cut in `count` pieces, for an upload sent a piece at a time. */
export const piecesOf = (bytes: Buffer, count: number): Buffer[] =>
  Array.from({ length: count }, (_, index) => bytes.subarray(Math.floor((index * bytes.length) / count), Math.floor(((index + 1) * bytes.length) / count)));
