import type { UploadFields } from '../../functions/core/schemas/track.js';
import type { Platform } from './platform.js';
import type { Transport } from './transport.js';
import { countProgress, multipartBody, progressReporter, type UploadProgress, type UploadSource } from './upload-body.js';
import { xhrFetch } from './xhr-fetch.js';

export interface UploadRequest {
  url: string;
  fields: UploadFields;
  source: UploadSource;
  onProgress?: ((progress: UploadProgress) => void) | undefined;
  signal?: AbortSignal | undefined;
  /** milliseconds for the whole upload; null for none */
  timeout: number | null;
  headers: Record<string, string>;
}

/**
 * Sends the file as multipart/form-data through the transport, which turns
 * the answer into a Response or an error. Browsers send it with
 * XMLHttpRequest, the only API that reports upload progress over HTTP/1.1;
 * everything else streams the body (in Node, through a fetch that waits for
 * the socket to drain).
 */
export function sendUpload(transport: Transport, platform: Platform, request: UploadRequest): Promise<Response> {
  const { url, fields, source, signal, timeout } = request;
  if (typeof XMLHttpRequest !== 'undefined') {
    const blob = source.blob ?? source.toBlob?.();
    if (!blob) {
      return Promise.reject(new TypeError('a browser can upload a File, Blob or bytes, not a stream: browsers stream request bodies only over HTTP/2'));
    }
    const form = new FormData();
    for (const [name, value] of Object.entries(fields)) if (value !== undefined) form.append(name, value);
    form.append('file', blob, source.filename);
    const init: RequestInit = { method: 'POST', headers: transport.headers(request.headers), body: form, signal: signal ?? null };
    return transport.send(url, init, timeout, xhrFetch(blob.size, progressReporter(blob.size, request.onProgress)));
  }
  const report = progressReporter(source.size, request.onProgress);
  const body = multipartBody(fields, source, countProgress(source.stream(), report));
  const headers = transport.headers({
    ...request.headers,
    'content-type': body.contentType,
    ...(body.length === null ? {} : { 'content-length': String(body.length) }),
  });
  const init = { method: 'POST', headers, body: body.stream, duplex: 'half', signal } as RequestInit;
  return transport.send(url, init, timeout, platform.streamingFetch);
}
