import { createReadStream, createWriteStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { Readable, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { Binary, type Collection } from 'mongodb';

export interface OriginalMetadata {
  filename: string;
  mimeType: string;
  sha256: string;
}

/**
 * GridFS's layout (a files document and numbered chunks), with every `_id`
 * derived from the track id: the file's is the track id, a chunk's is
 * `<trackId>/<n>`. Every read is then an `_id` lookup, also on engines that
 * keep no secondary indexes (where GridFS's `{ files_id }` query reads every
 * chunk of every original).
 */
export interface OriginalFileDocument {
  _id: string;
  length: number;
  chunkSize: number;
  uploadDate: Date;
  filename: string;
  metadata: OriginalMetadata;
}

export interface OriginalChunkDocument {
  _id: string;
  files_id: string;
  n: number;
  data: Binary;
}

export interface OriginalWriter {
  stream: Writable;
  idle(): Promise<void>;
  /** bytes in chunks written so far */
  written(): number;
}

/** 1 MiB: a 50 MB original is 50 lookups, and a download holds at most two chunks in memory. */
export const ORIGINAL_CHUNK_BYTES = 1024 * 1024;
/** Where a writer begins: after the chunks already stored, the last of which (`head`, shorter than a chunk) it completes. */
export interface WriterStart {
  firstChunk: number;
  head: Buffer;
}

/** The facts about an original's bytes that reading them takes. */
export type OriginalLayout = Pick<OriginalFileDocument, '_id' | 'length' | 'chunkSize'>;

/** Chunks per insert: a few MB per message. */
const CHUNKS_PER_WRITE = 4;
/** Chunk ids per delete. */
const CHUNKS_PER_DELETE = 1000;

export const originalChunkId = (trackId: string, n: number) => `${trackId}/${String(n).padStart(6, '0')}`;

const chunkCount = (length: number, chunkSize: number) => Math.ceil(length / chunkSize);

/** The uploaded file as it came, one per track. */
export class OriginalStore {
  constructor(
    private readonly files: Collection<OriginalFileDocument>,
    private readonly chunks: Collection<OriginalChunkDocument>,
  ) {}

  /** Stores the file's chunks, then its files document: an original is never visible half-written. */
  async save(trackId: string, path: string, metadata: OriginalMetadata, signal?: AbortSignal): Promise<void> {
    const { size: length } = await stat(path);
    const writer = this.openWriter(trackId);
    try {
      await pipeline(createReadStream(path, { highWaterMark: ORIGINAL_CHUNK_BYTES }), writer.stream, { signal });
      await this.seal(trackId, length, metadata);
    } catch (error) {
      // an aborted pipeline does not wait for the write under way, which would land after the delete
      await writer.idle();
      await this.delete(trackId, length);
      throw error;
    }
  }

  /** Makes an original whose chunks are all written visible, with what is known of it once it has all arrived. */
  async seal(trackId: string, length: number, metadata: OriginalMetadata): Promise<void> {
    // a replace: a resumable upload whose finish was cut short after this is sealed again by whoever finishes it
    const file = { _id: trackId, length, chunkSize: ORIGINAL_CHUNK_BYTES, uploadDate: new Date(), filename: metadata.filename, metadata };
    await this.files.replaceOne({ _id: trackId }, file, { upsert: true });
  }

  /**
   * Where the bytes of an original go as they come: cut into chunks and
   * written a few at a time, holding back the stream meanwhile, `onWritten`
   * told after each write; `idle` resolves once no write is under way.
   * Nothing is visible until `seal`. From a `start`, chunks are written
   * over what is stored there (a resumable upload's bytes past its offset).
   */
  openWriter(trackId: string, onWritten: () => void = () => {}, start?: WriterStart, chunksPerWrite = CHUNKS_PER_WRITE): OriginalWriter {
    let pending: Buffer[] = start && start.head.length > 0 ? [start.head] : [];
    let pendingBytes = start?.head.length ?? 0;
    let documents: OriginalChunkDocument[] = [];
    let n = start?.firstChunk ?? 0;
    const cutChunk = () => {
      const data = Buffer.concat(pending, pendingBytes);
      const chunk = data.subarray(0, ORIGINAL_CHUNK_BYTES);
      const rest = data.subarray(chunk.length);
      pending = rest.length > 0 ? [rest] : [];
      pendingBytes = rest.length;
      documents.push({ _id: originalChunkId(trackId, n), files_id: trackId, n, data: new Binary(chunk) });
      n++;
    };
    let writing: Promise<unknown> = Promise.resolve();
    let bytes = 0;
    const flush = () => {
      if (documents.length === 0) return Promise.resolve();
      const batch = documents;
      documents = [];
      const stored = start
        ? this.chunks.bulkWrite(batch.map((chunk) => ({ replaceOne: { filter: { _id: chunk._id }, replacement: chunk, upsert: true } })), { ordered: true })
        : this.chunks.insertMany(batch, { ordered: true });
      const written = stored.then(() => {
        bytes += batch.reduce((sum, chunk) => sum + chunk.data.length(), 0);
        onWritten();
      });
      writing = written.catch(() => undefined);
      return written;
    };
    const stream = new Writable({
      write(data: Buffer, _encoding, callback) {
        pending.push(data);
        pendingBytes += data.length;
        while (pendingBytes >= ORIGINAL_CHUNK_BYTES) cutChunk();
        if (documents.length < chunksPerWrite) return callback();
        flush().then(() => callback(), callback);
      },
      final(callback) {
        if (pendingBytes > 0) cutChunk();
        flush().then(() => callback(), callback);
      },
    });
    return { stream, idle: async () => void (await writing), written: () => bytes };
  }

  async downloadTo(trackId: string, path: string, signal?: AbortSignal): Promise<void> {
    const file = await this.find(trackId);
    if (!file) throw new Error(`track ${trackId} has no stored original`);
    await pipeline(this.open(file), createWriteStream(path), { signal });
  }

  /** The stored file's facts, or null when there is no original. */
  find(trackId: string): Promise<OriginalFileDocument | null> {
    return this.files.findOne({ _id: trackId });
  }

  /** Streams the original, or the inclusive byte range `start`..`end` of it, reading one chunk ahead. */
  open(file: OriginalLayout, range: { start: number; end: number } = { start: 0, end: file.length - 1 }): Readable {
    const readChunk = async (n: number): Promise<Buffer> => {
      const data = await this.readChunk(file._id, n);
      if (!data) throw new Error(`chunk ${n} of the original of track ${file._id} is missing`);
      return data;
    };
    async function* bytes() {
      if (range.end < range.start) return;
      const first = Math.floor(range.start / file.chunkSize);
      const last = Math.floor(range.end / file.chunkSize);
      let next = readChunk(first);
      for (let n = first; n <= last; n++) {
        const data = await next;
        if (n < last) {
          next = readChunk(n + 1);
          // read ahead: if the reader goes away first, its failure must not go unhandled
          next.catch(() => undefined);
        }
        const from = n === first ? range.start - n * file.chunkSize : 0;
        const to = n === last ? range.end - n * file.chunkSize + 1 : data.length;
        yield data.subarray(from, to);
      }
    }
    return Readable.from(bytes(), { objectMode: false });
  }

  /** Chunk `n` of an original, written or being written; null when there is none. */
  async readChunk(trackId: string, n: number): Promise<Buffer | null> {
    const chunk = await this.chunks.findOne({ _id: originalChunkId(trackId, n) });
    if (!chunk) return null;
    const { buffer } = chunk.data;
    return Buffer.from(buffer.buffer, buffer.byteOffset, buffer.byteLength);
  }

  /**
   * Deletes the original of `bytes` bytes (the size it was uploaded with,
   * which finds its chunks even when its files document never got written).
   * Deleting what is not there is not an error: deletes are retried after
   * partial failures.
   */
  async delete(trackId: string, bytes: number): Promise<void> {
    const file = await this.find(trackId);
    await this.files.deleteOne({ _id: trackId });
    const count = chunkCount(Math.max(file?.length ?? 0, bytes), file?.chunkSize ?? ORIGINAL_CHUNK_BYTES);
    for (let first = 0; first < count; first += CHUNKS_PER_DELETE) {
      const ids = [];
      for (let n = first; n < Math.min(count, first + CHUNKS_PER_DELETE); n++) ids.push(originalChunkId(trackId, n));
      await this.chunks.deleteMany({ _id: { $in: ids } });
    }
  }
}
