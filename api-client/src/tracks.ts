import { DUPLICATE_HEADER } from '../../functions/core/endpoints.js';
import {
  type Track,
  type TrackList,
  TrackListSchema,
  TrackSchema,
  type TrackUpdate,
  type UploadFields,
} from '../../functions/core/schemas/track.js';
import { ProcessingError, ResponseValidationError, TimeoutError } from './errors.js';
import { PageIterator } from './pages.js';
import type { Platform } from './platform.js';
import { RESUMABLE_THRESHOLD_BYTES, type ResumableOptions, sendResumable } from './resumable-upload.js';
import { sendUpload } from './send-upload.js';
import { readBody, sleep, type Transport } from './transport.js';
import { blobSource, bytesSource, streamSource, type UploadProgress, type UploadSource } from './upload-body.js';

/** What `tracks.create` takes: a Blob or File, bytes, a stream, or (in Node) a file path. */
export type UploadInput = Blob | Uint8Array | ArrayBuffer | ReadableStream<Uint8Array> | AsyncIterable<Uint8Array> | string;

/** What `tracks.create` resolves with: the track, and whether the service had the file already. */
export type UploadedTrack = Track & {
  /** the file was in the library already (the same SHA-256): this is the track that holds it, and nothing new was stored */
  duplicate: boolean;
};

export interface CreateOptions {
  /** upload progress: file bytes sent, monotonic, ending at the total */
  onProgress?: (progress: UploadProgress) => void;
  /** resolve only once the track is ready (or throw ProcessingError if it fails) */
  wait?: boolean;
  /** with `wait`: each poll's view of the track while it is processed */
  onProcessing?: (track: Track) => void;
  signal?: AbortSignal;
  /** the file name to send; defaults to the File's or path's name */
  filename?: string;
  /** the file's SHA-256 in hex: the service refuses the upload (ChecksumMismatchError) if the bytes it got differ */
  sha256?: string;
  /** milliseconds for the upload itself; none by default, since it depends on the file */
  timeout?: number;
  /** with `wait`: milliseconds to wait for processing; none by default */
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

export interface WaitOptions {
  signal?: AbortSignal;
  /** milliseconds before a TimeoutError; none by default */
  timeout?: number;
  /** each poll's view of the track while it is processed */
  onProgress?: (track: Track) => void;
}

export interface ListQuery {
  /** matches title, artist or album, case-insensitively */
  q?: string;
  /** tracks per page, 1–100 */
  limit?: number;
  signal?: AbortSignal;
}

export interface PageQuery extends ListQuery {
  cursor?: string | null;
}

const POLL_START_MS = 250;
const POLL_MAX_MS = 2_000;

export class Tracks {
  constructor(
    private readonly transport: Transport,
    private readonly platform: Platform,
  ) {}

  /**
   * Uploads audio. Resolves with the track as accepted (`processing`), or with `wait`, once it is ready.
   * A file the library holds already is not stored again: the answer is that track, with `duplicate: true`.
   * Large files (and any with `resumable: true`) go as a resumable upload that survives dropped connections.
   *
   * @example
   * const track = await segue.tracks.create('./song.mp3', { artist: 'Someone' }, { wait: true });
   * if (track.duplicate) console.log(`already in your library as ${track.id}`);
   */
  async create(input: UploadInput, fields: UploadFields = {}, options: CreateOptions = {}): Promise<UploadedTrack> {
    const source = await this.toSource(input, options.filename);
    const resumable = this.resumableInput(source, options.resumable);
    if (resumable !== null) {
      const sent = await sendResumable(this.transport, { ...options, input: resumable, fields, source });
      const track = options.wait ? await this.waitUntilReady(sent.trackId, waitOptions(options)) : await this.retrieve(sent.trackId);
      return { ...track, duplicate: sent.duplicate };
    }
    const url = this.transport.url('createTrack');
    const response = await sendUpload(this.transport, this.platform, {
      url,
      fields,
      source,
      onProgress: options.onProgress,
      signal: options.signal,
      timeout: options.timeout ?? null,
      headers: options.sha256 ? { 'x-content-sha256': options.sha256 } : {},
    });
    const track = await readBody(response, TrackSchema);
    const duplicate = duplicateMark(response, track);
    if (!options.wait) return { ...track, duplicate };
    const ready = await this.waitUntilReady(track.id, waitOptions(options));
    return { ...ready, duplicate };
  }

  retrieve(id: string, options: { signal?: AbortSignal } = {}): Promise<Track> {
    return this.transport.json({ endpoint: 'retrieveTrack', params: { id }, signal: options.signal }, TrackSchema);
  }

  /** Changes tags; `null` clears one. */
  update(id: string, patch: TrackUpdate, options: { signal?: AbortSignal } = {}): Promise<Track> {
    return this.transport.json({ endpoint: 'updateTrack', params: { id }, json: patch, signal: options.signal }, TrackSchema);
  }

  /** Removes the track with everything stored for it. */
  delete(id: string, options: { signal?: AbortSignal } = {}): Promise<void> {
    return this.transport.json({ endpoint: 'deleteTrack', params: { id }, signal: options.signal }, null);
  }

  /** Processes a failed track again from its stored original; resolves with the track, processing again. */
  reprocess(id: string, options: { signal?: AbortSignal } = {}): Promise<Track> {
    return this.transport.json({ endpoint: 'reprocessTrack', params: { id }, signal: options.signal }, TrackSchema);
  }

  /** One page of the library, newest first; pass `nextCursor` back for the next. */
  page(query: PageQuery = {}): Promise<TrackList> {
    const { q, limit, cursor, signal } = query;
    return this.transport.json({ endpoint: 'listTracks', query: { q, limit, cursor: cursor ?? undefined }, signal }, TrackListSchema);
  }

  /** Every track matching the query, fetched a page at a time as you iterate: `for await (const track of segue.tracks.list())`. */
  list(query: ListQuery = {}): TrackIterator {
    return new TrackIterator((cursor) => this.page({ ...query, cursor }));
  }

  /**
   * Polls until the track is ready; throws ProcessingError if it fails, TimeoutError past `timeout`.
   *
   * @example
   * const track = await segue.tracks.waitUntilReady(id, { timeout: 120_000 });
   */
  waitUntilReady(id: string, options: WaitOptions = {}): Promise<Track> {
    return this.pollUntil(id, (track) => track.status === 'ready', 'ready', POLL_MAX_MS, options);
  }

  /**
   * Polls until the track can be played: its first segments are stored, while
   * it is still processing (its playlists then grow until it is ready), or it
   * is ready. Throws ProcessingError if it fails first, TimeoutError past `timeout`.
   *
   * @example
   * const track = await segue.tracks.waitUntilPlayable(id);
   * attachTrack(audio, segue.tracks.masterPlaylistUrl(track.id));
   */
  waitUntilPlayable(id: string, options: WaitOptions = {}): Promise<Track> {
    // a track is playable about a second after its upload: polls do not space out, so none comes late
    return this.pollUntil(id, (track) => track.playable, 'playable', POLL_START_MS, options);
  }

  /** Polls every 250 ms at first, the pause doubling up to `maxPauseMs`. */
  private async pollUntil(id: string, reached: (track: Track) => boolean, what: string, maxPauseMs: number, options: WaitOptions): Promise<Track> {
    const deadline = options.timeout === undefined ? Number.POSITIVE_INFINITY : Date.now() + options.timeout;
    for (let pause = POLL_START_MS; ; pause = Math.min(pause * 2, maxPauseMs)) {
      const track = await this.retrieve(id, options.signal ? { signal: options.signal } : {});
      if (track.status === 'failed') throw new ProcessingError(track);
      if (reached(track)) return track;
      options.onProgress?.(track);
      const left = deadline - Date.now();
      if (left <= 0) throw new TimeoutError(`Track ${id} was not ${what} within ${options.timeout} ms`);
      // the last poll falls on the deadline itself
      await sleep(Math.min(pause, left), options.signal);
    }
  }

  /** The HLS multivariant playlist, for a player. */
  masterPlaylistUrl(id: string): string {
    return this.transport.url('masterPlaylist', { id });
  }

  /** The file as it was uploaded, served as a download. */
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

function waitOptions(options: CreateOptions): WaitOptions {
  return {
    ...(options.signal ? { signal: options.signal } : {}),
    ...(options.waitTimeout !== undefined ? { timeout: options.waitTimeout } : {}),
    ...(options.onProcessing ? { onProgress: options.onProcessing } : {}),
  };
}

/** Whether the answer says the upload's bytes were a track already; it must name the track it answered with. */
function duplicateMark(response: Response, track: Track): boolean {
  const of = response.headers.get(DUPLICATE_HEADER);
  if (of === null) return false;
  if (of !== track.id) throw new ResponseValidationError(`${response.url} answered track ${track.id} as a duplicate of ${of}`, [], track);
  return true;
}

/** Every track of a listing, fetched a page at a time; `pages()` gives them a page at a time. */
export class TrackIterator extends PageIterator<Track> {}
