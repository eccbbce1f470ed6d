import { request as httpRequest, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { ReadableStream as NodeReadableStream } from 'node:stream/web';
import { responseOf } from './transport.js';

/**
 * POSTs a streamed body with node:http, which reads the next chunk only once
 * the socket has taken the last. Node's global fetch reads a request stream
 * as fast as the disk gives it and holds what the server has not taken yet:
 * against a slow server, up to the whole file.
 */
export const streamingFetch = (async (input: string | URL | Request, init: RequestInit = {}) => {
  const url = new URL(String(input));
  const request = (url.protocol === 'https:' ? httpsRequest : httpRequest)(url, {
    method: init.method ?? 'POST',
    headers: Object.fromEntries(new Headers(init.headers).entries()),
    ...(init.signal ? { signal: init.signal } : {}),
  });
  const responded = new Promise<IncomingMessage>((resolve, reject) => {
    request.once('response', resolve);
    request.once('error', reject);
  });
  const body = init.body as ReadableStream<Uint8Array>;
  // a server that refuses early (413) answers before the body is done; its answer is what counts
  pipeline(Readable.fromWeb(body as NodeReadableStream<Uint8Array>), request).catch(() => undefined);
  const message = await responded;
  const chunks: Buffer[] = [];
  for await (const chunk of message) chunks.push(chunk as Buffer);
  // refused (413, 401…) before the body was all sent: stop reading the file and sending it
  if ((message.statusCode ?? 500) >= 400) request.destroy();
  const headers = new Headers();
  for (const [name, value] of Object.entries(message.headers)) {
    for (const each of Array.isArray(value) ? value : value === undefined ? [] : [value]) headers.append(name, each);
  }
  return responseOf(Buffer.concat(chunks), { status: message.statusCode ?? 500, statusText: message.statusMessage ?? '', headers }, url.href);
}) as typeof fetch;
