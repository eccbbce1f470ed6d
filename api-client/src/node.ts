import { createReadStream, mkdirSync } from 'node:fs';
import { stat } from 'node:fs/promises';
import { basename, dirname } from 'node:path';
import * as tus from 'tus-js-client';
import { SegueClient } from './client.js';
import { streamingFetch } from './node-streaming-fetch.js';
import type { TrackCreateParams } from './tracks.js';
import type { ClientOptions } from './transport.js';
import { streamSource, type UploadSource } from './upload-body.js';

export * from './exports.js';

/** Files are streamed from disk a chunk at a time, so any size uploads in bounded memory. */
async function openPath(path: string, filename?: string): Promise<UploadSource> {
  const info = await stat(path);
  if (!info.isFile()) throw new TypeError(`${path} is not a file`);
  return {
    filename: filename ?? basename(path),
    size: info.size,
    type: '',
    path,
    // a path, unlike a stream handed over, can be read again
    stream: () => streamSource(createReadStream(path)).stream(),
  };
}

/** tus-js-client reads a file from its path (a slice at a time from any offset), and bytes as a Buffer over the same memory. */
function resumableInput(source: UploadSource): unknown {
  if (source.path) return createReadStream(source.path);
  if (source.bytes) return Buffer.from(source.bytes.buffer, source.bytes.byteOffset, source.bytes.byteLength);
  return null;
}

/**
 * Remembers resumable uploads under way in a JSON file, so that uploading
 * the same file again (in another run) goes on from where the last run
 * stopped. tus-js-client's own, which its typings leave out.
 *
 * @example
 * const urlStorage = fileUploadMemory(`${process.env.HOME}/.cache/my-app/uploads.json`);
 * // run this again after a crash and it goes on from where the last run stopped
 * const track = await segue.tracks.create({ file: './live-set.wav', urlStorage });
 */
export function fileUploadMemory(path: string): NonNullable<TrackCreateParams['urlStorage']> {
  const { FileUrlStorage } = tus as unknown as { FileUrlStorage: new (path: string) => NonNullable<TrackCreateParams['urlStorage']> };
  // its lock file goes beside it, which needs the directory to exist
  mkdirSync(dirname(path), { recursive: true });
  return new FileUrlStorage(path);
}

/** The Node build: uploads also take a file path or a Node Readable. */
export class Segue extends SegueClient {
  /**
   * @example
   * const segue = new Segue({ baseUrl: 'http://127.0.0.1:8080', apiKey: process.env.SEGUE_API_KEY });
   * const track = await segue.tracks.create({ file: './song.mp3', wait: true });
   */
  constructor(options: ClientOptions) {
    super(options, { openPath, streamingFetch, resumableInput });
  }
}
