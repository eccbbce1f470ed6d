import { SegueClient } from './client.js';
import type { ClientOptions } from './transport.js';

export * from './exports.js';

/** The browser build: uploads take a File, Blob, bytes or a stream. */
export class Segue extends SegueClient {
  /**
   * @example
   * const segue = new Segue({ baseUrl: location.origin });
   * for (const file of picker.files ?? []) {
   *   await segue.tracks.create({ file, onProgress: ({ loaded, total }) => (bar.value = total ? loaded / total : 0) });
   * }
   */
  constructor(options: ClientOptions) {
    super(options, {
      openPath: async () => {
        throw new TypeError('a path can only be uploaded from Node; in a browser pass the File itself');
      },
      resumableInput: (source) => source.blob ?? source.toBlob?.() ?? null,
    });
  }
}
