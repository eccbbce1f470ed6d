import type { UploadSource } from './upload-body.js';

/** What differs between the browser build and the Node build. */
export interface Platform {
  /** opens a file path as an upload; only Node has paths */
  openPath(path: string, filename?: string): Promise<UploadSource>;
  /** a fetch for streamed request bodies, where the global one does not hold back for a slow server */
  streamingFetch?: typeof fetch;
  /** what tus-js-client can read `source` from, again from any offset; null when it cannot (a stream) */
  resumableInput(source: UploadSource): unknown;
}
