import { responseOf } from './transport.js';

/**
 * A fetch on XMLHttpRequest, for browser uploads: it reports upload progress,
 * which fetch cannot over HTTP/1.1. The browser counts the whole form, so
 * progress is scaled to the file's `size`. Like fetch, it answers any status
 * and rejects only when no answer came.
 */
export function xhrFetch(size: number, report: (loaded: number) => void): typeof fetch {
  return ((input: string | URL | Request, init: RequestInit = {}) =>
    new Promise<Response>((resolve, reject) => {
      const url = String(input);
      const { signal } = init;
      if (signal?.aborted) return reject(signal.reason);
      const xhr = new XMLHttpRequest();
      xhr.open(init.method ?? 'GET', url);
      new Headers(init.headers).forEach((value, name) => xhr.setRequestHeader(name, value));
      xhr.responseType = 'text';
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
        resolve(responseOf(xhr.responseText, { status: xhr.status, statusText: xhr.statusText, headers }, url));
      };
      xhr.onerror = () => {
        settle();
        reject(new TypeError('network error (or CORS)'));
      };
      xhr.onabort = () => {
        settle();
        reject(signal?.reason ?? new DOMException('The upload was aborted', 'AbortError'));
      };
      xhr.send(init.body as XMLHttpRequestBodyInit);
    })) as typeof fetch;
}
