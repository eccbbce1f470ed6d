import { DUPLICATE_HEADER } from '../../functions/core/endpoints.js';
import {
  type Track,
  type TrackList,
  TrackListSchema,
  TrackSchema,
  type TrackUpdate,
  type UploadFields,
  UploadFieldsSchema,
} from '../../functions/core/schemas/track.js';
import { ProcessingError, ResponseValidationError, WaitTimeoutError } from './errors.js';
import { PageIterator } from './pages.js';
import type { Platform } from './platform.js';
import { RESUMABLE_THRESHOLD_BYTES, type ResumableOptions, sendResumable } from './resumable-upload.js';
import { sendUpload } from './send-upload.js';
import { type RequestOptions, readBody, sleep, type Transport } from './transport.js';
import { blobSource, bytesSource, streamSource, type UploadProgress, type UploadSource } from './upload-body.js';

/** What `tracks.create` takes: a Blob or File, bytes, a stream, or (in Node) a file path. */
export type UploadInput = Blob | Uint8Array | ArrayBuffer | ReadableStream<Uint8Array> | AsyncIterable<Uint8Array> | string;

/** What `tracks.create` resolves with: the track, and whether the service had the file already. */
export type UploadedTrack = Track & {
  /** the file was in the library already (the same SHA-256): this is the track that holds it, and nothing new was stored */
  duplicate: boolean;
};

/**
 * What `tracks.create` takes: the file, the tags that win over the file's own
 * (`title`, `artist`, `album`), and how to send it and whether to wait.
 */
export interface TrackCreateParams extends UploadFields, RequestOptions {
  /** the audio: a Blob or File, bytes, a stream, or (in Node) a file path */
  file: UploadInput;
  /** the file name to send; defaults to the File's or path's name */
  filename?: string;
  /** the file's SHA-256 in hex: the service refuses the upload (ChecksumMismatchError) if the bytes it got differ */
  sha256?: string;
  /** upload progress: file bytes sent, monotonic, ending at the total */
  onProgress?: (progress: UploadProgress) => void;
  /** resolve only once the track is ready (or throw ProcessingError if it fails) */
  wait?: boolean;
  /** with `wait`: each poll's view of the track while it is processed */
  onProcessing?: (track: Track) => void;
  /** milliseconds for the upload itself; none by default, since it depends on the file */
  timeout?: number;
  /** with `wait`: milliseconds to wait for processing before a WaitTimeoutError; none by default */
  waitTimeout?: number;
  /**
   * Send it as a resumable upload (tus), which goes on after a dropped connection from where the
   * service got to: `true` always, `false` never; by default for files of 64 MiB and more. Paths,
   * Files, Blobs and bytes can be; a stream cannot (it cannot be read again).
   */
  resumable?: boolean;
  /** resumable: bytes per PATCH (64 MiB by default) */
  chunkSize?: number;
  /** resumable: milliseconds to wait before each retry after a dropped connection (about two minutes in all by default) */
  retryDelays?: number[];
  /**
   * resumable: where uploads under way are remembered, so that a later `create` of the same file goes on
   * from where an earlier one (another run, in Node) stopped: tus-js-client's `urlStorage`. Browsers
   * remember them in localStorage by default; Node does not, unless given one (the CLI does).
   */
  urlStorage?: ResumableOptions['urlStorage'];
}

/** What `tracks.update` takes: the tags to change; `null` clears one. */
export type TrackUpdateParams = TrackUpdate;

/** What `waitUntilReady` and `waitUntilPlayable` take. */
export interface TrackWaitParams extends RequestOptions {
  /** milliseconds before a WaitTimeoutError; none by default */
  timeout?: number;
  /** each poll's view of the track while it is processed */
  onProgress?: (track: Track) => void;
}

/** What `tracks.list` takes. */
export interface TrackListParams extends RequestOptions {
  /** matches title, artist or album, case-insensitively */
  q?: string;
  /** tracks per page, 1–100 */
  limit?: number;
}

/** What `tracks.page` takes: a listing's parameters and where to go on from. */
export interface TrackPageParams extends TrackListParams {
  /** the `nextCursor` of the page before; none (or null) for the first page */
  cursor?: string | null;
}

/** The tag fields an upload sends, as the service's schema names them. */
const UPLOAD_FIELDS = Object.keys(UploadFieldsSchema.shape) as Array<keyof UploadFields>;

const POLL_START_MS = 250;
const POLL_MAX_MS = 2_000;

/** The library's tracks: uploads, tags, listings, waiting for processing, and the URLs to play them. */
export class Tracks {
  constructor(
    private readonly transport: Transport,
    private readonly platform: Platform,
  ) {}

  /**
   * Uploads audio. Resolves with the track as accepted (`processing`), or with `wait`, once it is ready.
   * A file the library holds already is not stored again: the answer is that track, with `duplicate: true`.
   * Large files (and any with `resumable: true`) go as a resumable upload that survives dropped connections.
   * Not retried: a stream cannot be sent twice.
   *
   * @example
   * const track = await segue.tracks.create({
   *   file: './song.mp3',
   *   artist: 'Someone',
   *   wait: true,
   *   onProgress: ({ loaded, total }) => console.log(`${loaded} / ${total} bytes`),
   * });
   * if (track.duplicate) console.log(`already in your library as ${track.id}`);
   */
  async create(params: TrackCreateParams): Promise<UploadedTrack> {
    const fields = uploadFields(params);
    const source = await this.toSource(params.file, params.filename);
    const resumable = this.resumableInput(source, params.resumable);
    if (resumable !== null) {
      const sent = await sendResumable(this.transport, { ...params, input: resumable, fields, source });
      const track = params.wait ? await this.waitUntilReady(sent.trackId, waitParams(params)) : await this.retrieve(sent.trackId);
      return { ...track, duplicate: sent.duplicate };
    }
    const url = this.transport.url('createTrack');
    const response = await sendUpload(this.transport, this.platform, {
      url,
      fields,
      source,
      onProgress: params.onProgress,
      signal: params.signal,
      timeout: params.timeout ?? null,
      headers: params.sha256 ? { 'x-content-sha256': params.sha256 } : {},
    });
    const track = await readBody(response, TrackSchema);
    const duplicate = duplicateMark(response, track);
    if (!params.wait) return { ...track, duplicate };
    const ready = await this.waitUntilReady(track.id, waitParams(params));
    return { ...ready, duplicate };
  }

  /**
   * One track, as it is now.
   *
   * @example
   * const track = await segue.tracks.retrieve('k3J9x0aQw1Ze');
   * console.log(track.title, track.status, track.durationSec);
   */
  retrieve(id: string, options: RequestOptions = {}): Promise<Track> {
    return this.transport.json({ endpoint: 'retrieveTrack', params: { id }, signal: options.signal }, TrackSchema);
  }

  /**
   * Changes tags; `null` clears one. Resolves with the track as changed.
   *
   * @example
   * await segue.tracks.update(track.id, { title: 'A better title', year: 1959, genre: null });
   */
  update(id: string, params: TrackUpdateParams, options: RequestOptions = {}): Promise<Track> {
    return this.transport.json({ endpoint: 'updateTrack', params: { id }, json: params, signal: options.signal }, TrackSchema);
  }

  /**
   * Removes the track with everything stored for it, and takes it out of every playlist.
   *
   * @example
   * await segue.tracks.delete(track.id);
   */
  delete(id: string, options: RequestOptions = {}): Promise<void> {
    return this.transport.json({ endpoint: 'deleteTrack', params: { id }, signal: options.signal }, null);
  }

  /**
   * Processes a failed track again from its stored original; resolves with the track, processing again.
   * TrackNotFailedError for a track that has not failed.
   *
   * @example
   * if (track.status === 'failed') await segue.tracks.reprocess(track.id);
   * const ready = await segue.tracks.waitUntilReady(track.id);
   */
  reprocess(id: string, options: RequestOptions = {}): Promise<Track> {
    return this.transport.json({ endpoint: 'reprocessTrack', params: { id }, signal: options.signal }, TrackSchema);
  }

  /**
   * One page of the library, newest first; pass `nextCursor` back for the next (`null` on the last).
   *
   * @example
   * const first = await segue.tracks.page({ q: 'miles', limit: 10 });
   * const second = first.nextCursor ? await segue.tracks.page({ q: 'miles', limit: 10, cursor: first.nextCursor }) : null;
   */
  page(params: TrackPageParams = {}): Promise<TrackList> {
    const { q, limit, cursor, signal } = params;
    return this.transport.json({ endpoint: 'listTracks', query: { q, limit, cursor: cursor ?? undefined }, signal }, TrackListSchema);
  }

  /**
   * Every track matching `q` (or the whole library), newest first, fetched `limit` a page as you iterate.
   *
   * @example
   * for await (const track of segue.tracks.list({ q: 'live', limit: 50 })) console.log(track.id, track.title);
   */
  list(params: TrackListParams = {}): TrackIterator {
    return new TrackIterator((cursor) => this.page({ ...params, cursor }));
  }

  /**
   * Polls until the track is ready; throws ProcessingError if it fails, WaitTimeoutError past `timeout`.
   *
   * @example
   * const track = await segue.tracks.waitUntilReady(id, {
   *   timeout: 120_000,
   *   onProgress: (processing) => console.log(`${Math.round(processing.progress * 100)}%`),
   * });
   */
  waitUntilReady(id: string, params: TrackWaitParams = {}): Promise<Track> {
    return this.pollUntil(id, (track) => track.status === 'ready', 'ready', POLL_MAX_MS, params);
  }

  /**
   * Polls until the track can be played: its first segments are stored, while
   * it is still processing (its playlists then grow until it is ready), or it
   * is ready. Throws ProcessingError if it fails first, WaitTimeoutError past `timeout`.
   *
   * @example
   * const track = await segue.tracks.waitUntilPlayable(id);
   * attachTrack(audio, segue.tracks.masterPlaylistUrl(track.id));
   */
  waitUntilPlayable(id: string, params: TrackWaitParams = {}): Promise<Track> {
    // a track is playable about a second after its upload: polls do not space out, so none comes late
    return this.pollUntil(id, (track) => track.playable, 'playable', POLL_START_MS, params);
  }

  /** Polls every 250 ms at first, the pause doubling up to `maxPauseMs`. */
  private async pollUntil(id: string, reached: (track: Track) => boolean, what: string, maxPauseMs: number, options: TrackWaitParams): Promise<Track> {
    const deadline = options.timeout === undefined ? Number.POSITIVE_INFINITY : Date.now() + options.timeout;
    for (let pause = POLL_START_MS; ; pause = Math.min(pause * 2, maxPauseMs)) {
      const track = await this.retrieve(id, options.signal ? { signal: options.signal } : {});
      if (track.status === 'failed') throw new ProcessingError(track);
      if (reached(track)) return track;
      options.onProgress?.(track);
      const left = deadline - Date.now();
      if (left <= 0) throw new WaitTimeoutError(`Track ${id} was not ${what} within ${options.timeout} ms`);
      // the last poll falls on the deadline itself
      await sleep(Math.min(pause, left), options.signal);
    }
  }

  /**
   * The HLS multivariant playlist, for a player (hls.js, Safari, ffplay, VLC).
   *
   * @example
   * attachTrack(audio, segue.tracks.masterPlaylistUrl(track.id));
   */
  masterPlaylistUrl(id: string): string {
    return this.transport.url('masterPlaylist', { id });
  }

  /**
   * The file as it was uploaded, served as a download.
   *
   * @example
   * link.href = segue.tracks.originalUrl(track.id);
   * link.download = track.source.filename;
   */
  originalUrl(id: string): string {
    return this.transport.url('original', { id });
  }

  /**
   * The cover art; only there when `track.hasCover`. Without `width`, the
   * picture as the file carried it; with one of `track.coverSizes`, that size
   * as WebP (fitted in a square of 128, 256 or 512 px, never enlarged).
   *
   * @example
   * img.src = segue.tracks.coverUrl(track.id, track.coverSizes[0]);
   */
  coverUrl(id: string, width?: number): string {
    return width === undefined ? this.transport.url('cover', { id }) : this.transport.url('coverSize', { id, width: String(width) });
  }

  /**
   * An img `srcset` of the track's cover sizes (`<url> 128w, <url> 256w, …`),
   * so a browser fetches the smallest that is sharp at the size shown. Empty
   * when the track has no sizes (no cover, or one kept before sizes were
   * made): fall back to `coverUrl(track.id)` when `track.hasCover`.
   *
   * @example
   * if (track.hasCover) {
   *   img.src = segue.tracks.coverUrl(track.id, track.coverSizes[0]);
   *   img.srcset = segue.tracks.coverSrcset(track);
   *   img.sizes = '56px';
   * }
   */
  coverSrcset(track: Pick<Track, 'id' | 'coverSizes'>): string {
    return track.coverSizes.map((width) => `${this.coverUrl(track.id, width)} ${width}w`).join(', ');
  }

  /** What a resumable upload reads the source from, or null for a direct upload. */
  private resumableInput(source: UploadSource, resumable: boolean | undefined): unknown {
    if (resumable === false) return null;
    if (resumable === undefined && (source.size === null || source.size < RESUMABLE_THRESHOLD_BYTES)) return null;
    const input = source.size === null ? null : this.platform.resumableInput(source);
    if (input === null && resumable) throw new TypeError('a stream cannot be sent resumable: pass a path, File, Blob or bytes');
    return input;
  }

  private toSource(input: UploadInput, filename: string | undefined): Promise<UploadSource> | UploadSource {
    if (typeof input === 'string') return this.platform.openPath(input, filename);
    if (typeof Blob !== 'undefined' && input instanceof Blob) return blobSource(input, filename);
    if (input instanceof ArrayBuffer) return bytesSource(new Uint8Array(input), filename);
    if (input instanceof Uint8Array) return bytesSource(input, filename);
    if (input instanceof ReadableStream || Symbol.asyncIterator in input) return streamSource(input, filename);
    throw new TypeError('upload a Blob, File, Uint8Array, ArrayBuffer, stream or (in Node) a path');
  }
}

/** The tags among `create`'s parameters, as the upload sends them. */
function uploadFields(params: TrackCreateParams): UploadFields {
  const fields: UploadFields = {};
  for (const name of UPLOAD_FIELDS) if (params[name] !== undefined) fields[name] = params[name];
  return fields;
}

function waitParams(params: TrackCreateParams): TrackWaitParams {
  return {
    ...(params.signal ? { signal: params.signal } : {}),
    ...(params.waitTimeout !== undefined ? { timeout: params.waitTimeout } : {}),
    ...(params.onProcessing ? { onProgress: params.onProcessing } : {}),
  };
}

/** Whether the answer says the upload's bytes were a track already; it must name the track it answered with. */
function duplicateMark(response: Response, track: Track): boolean {
  const of = response.headers.get(DUPLICATE_HEADER);
  if (of === null) return false;
  if (of !== track.id) throw new ResponseValidationError(`${response.url} answered track ${track.id} as a duplicate of ${of}`, [], track);
  return true;
}

/**
 * Every track of a listing, fetched a page at a time; `pages()` gives them a page at a time.
 *
 * @example
 * for await (const page of segue.tracks.list({ limit: 100 }).pages()) console.log(page.data.length);
 */
export class TrackIterator extends PageIterator<Track> {}
