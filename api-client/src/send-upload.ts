import type { UploadFields } from '../../functions/shared/schemas/track.js';
import { ConnectionError, TimeoutError } from './errors.js';
import type { Platform } from './platform.js';
import { readError, type Transport } from './transport.js';
import { countProgress, multipartBody, type UploadProgress, type UploadSource } from './upload-body.js';

export interface SendUploadOptions {
  onProgress?: ((progress: UploadProgress) => void) | undefined;
  signal?: AbortSignal | undefined;
  /** milliseconds for the whole upload; null for none */
  timeout: number | null;
  headers: Record<string, string>;
}

/**
 * Sends the file as multipart/form-data and answers the server's Response.
 * Browsers get XMLHttpRequest, the only API that reports upload progress
 * over HTTP/1.1; everything else streams the body through fetch (in Node,
 * one that waits for the socket to drain).
 */
export function sendUpload(
  transport: Transport,
  platform: Platform,
  url: string,
  fields: UploadFields,
  source: UploadSource,
  options: SendUploadOptions,
): Promise<Response> {
  if (typeof XMLHttpRequest !== 'undefined') {
    const blob = source.blob ?? source.toBlob?.();
    if (!blob) {
      return Promise.reject(new TypeError('a browser can upload a File, Blob or bytes, not a stream: browsers stream request bodies only over HTTP/2'));
    }
    return xhrUpload(transport, url, fields, blob, source, options);
  }
  return fetchUpload(transport, platform, url, fields, source, options);
}

async function fetchUpload(
  transport: Transport,
  platform: Platform,
  url: string,
  fields: UploadFields,
  source: UploadSource,
  options: SendUploadOptions,
): Promise<Response> {
  let lastReported = -1;
  const report = options.onProgress
    ? (progress: UploadProgress) => {
        if (progress.loaded === lastReported) return;
        lastReported = progress.loaded;
        options.onProgress?.(progress);
      }
    : undefined;
  report?.({ loaded: 0, total: source.size });
  const body = multipartBody(fields, source, countProgress(source.stream(), source.size, report));
  const headers = transport.headers({
    ...options.headers,
    'content-type': body.contentType,
    ...(body.length === null ? {} : { 'content-length': String(body.length) }),
  });
  const init = { method: 'POST', headers, body: body.stream, duplex: 'half', signal: options.signal } as RequestInit;
  return transport.send(url, init, options.timeout, platform.streamingFetch);
}

function xhrUpload(
  transport: Transport,
  url: string,
  fields: UploadFields,
  blob: Blob,
  source: UploadSource,
  options: SendUploadOptions,
): Promise<Response> {
  return new Promise((resolve, reject) => {
    const { signal, onProgress } = options;
    if (signal?.aborted) return reject(signal.reason);
    const form = new FormData();
    for (const [name, value] of Object.entries(fields)) if (value !== undefined) form.append(name, value);
    form.append('file', blob, source.filename);

    const xhr = new XMLHttpRequest();
    xhr.open('POST', url);
    for (const [name, value] of Object.entries(transport.headers(options.headers))) xhr.setRequestHeader(name, value);
    if (options.timeout !== null) xhr.timeout = options.timeout;
    xhr.responseType = 'text';

    const size = blob.size;
    let loaded = 0;
    const report = (bytes: number) => {
      if (!onProgress || bytes <= loaded) return;
      loaded = bytes;
      onProgress({ loaded, total: size });
    };
    onProgress?.({ loaded: 0, total: size });
    // the browser counts the whole form; scale to the file so `total` is the file's size
    xhr.upload.onprogress = (event) => {
      if (event.lengthComputable && event.total > 0) report(Math.min(size, Math.floor((event.loaded / event.total) * size)));
    };
    xhr.upload.onload = () => report(size);

    const onAbort = () => xhr.abort();
    signal?.addEventListener('abort', onAbort, { once: true });
    const settle = () => signal?.removeEventListener('abort', onAbort);
    xhr.onload = () => {
      settle();
      const headers = new Headers();
      for (const line of xhr.getAllResponseHeaders().trim().split(/[\r\n]+/)) {
        const colon = line.indexOf(':');
        if (colon > 0) headers.append(line.slice(0, colon).trim(), line.slice(colon + 1).trim());
      }
      const response = new Response(xhr.status === 204 ? null : xhr.responseText, { status: xhr.status, statusText: xhr.statusText, headers });
      Object.defineProperty(response, 'url', { value: url });
      if (response.ok) resolve(response);
      else readError(response).then(reject, reject);
    };
    xhr.onerror = () => {
      settle();
      reject(new ConnectionError(`Could not reach ${url} (network error or CORS)`));
    };
    xhr.ontimeout = () => {
      settle();
      reject(new TimeoutError(`The upload to ${url} took longer than ${options.timeout} ms`));
    };
    xhr.onabort = () => {
      settle();
      reject(signal?.reason ?? new DOMException('The upload was aborted', 'AbortError'));
    };
    xhr.send(form);
  });
}
