import { once } from 'node:events';
import type { Readable } from 'node:stream';
import { finished } from 'node:stream/promises';
import { DataStore, ERRORS, Upload } from '@tus/utils';
import { UploadRefused } from '../upload-refused.js';
import { ORIGINAL_CHUNK_BYTES } from '../../../shared/storage/original-store.js';
import type { UploadDocument } from '../../../shared/storage/upload-store.js';
import { checkChecksum, patchChecksum, startChecksum } from './upload-checksum.js';
import { removeUpload } from './remove-upload.js';
import type { CrudServices } from '../../services.js';

export type ChunkDataStoreServices = Pick<CrudServices, 'uploads' | 'originals' | 'removals' | 'config' | 'metrics'>;

/** What tus says of an upload, from what is stored of it. */
function toTusUpload(upload: UploadDocument): Upload {
  const metadata: Record<string, string> = { ...upload.fields, filename: upload.filename };
  if (upload.filetype) metadata.filetype = upload.filetype;
  if (upload.sha256) metadata.sha256 = upload.sha256;
  return new Upload({ id: upload._id, size: upload.length, offset: upload.offset, metadata, creation_date: upload.createdAt.toISOString() });
}

/**
 * tus's data store on the database: the state in `uploads`, the bytes
 * written as the future track's original chunks from the first PATCH. The
 * offset is moved on after every few chunks written, so an upload cut off
 * (the client gone, the replica killed) resumes after its last stored chunks,
 * on any replica. A PATCH with `Upload-Checksum` moves it only once its body
 * has all arrived and matches: a mismatch keeps none of it (the chunks past
 * the offset are written over by the next PATCH).
 */
export class ChunkDataStore extends DataStore {
  constructor(private readonly deps: ChunkDataStoreServices) {
    super();
    this.extensions = ['creation', 'creation-with-upload', 'termination', 'expiration', 'checksum'];
  }

  override async create(upload: Upload): Promise<Upload> {
    const { uploads, removals } = this.deps;
    const { uploadExpiryMs } = this.deps.config;
    const { filename, filetype, sha256, ...fields } = (upload.metadata ?? {}) as Record<string, string>;
    const createdAt = new Date();
    const length = upload.size ?? 0;
    // the chunks are written from the first PATCH: the note finds them if the upload never becomes a track
    await removals.begin({ _id: upload.id, kind: 'upload', originalBytes: length, durationSec: 0 });
    await uploads.create({
      _id: upload.id,
      length,
      offset: 0,
      filename: filename ?? 'untitled',
      filetype: filetype ?? null,
      sha256: sha256 ?? null,
      fields,
      createdAt,
      expiresAt: new Date(createdAt.getTime() + uploadExpiryMs),
      trackId: null,
      finishing: null,
    });
    upload.creation_date = createdAt.toISOString();
    return upload;
  }

  override async getUpload(id: string): Promise<Upload> {
    return toTusUpload(await this.find(id));
  }

  override async remove(id: string): Promise<void> {
    const upload = await this.find(id);
    if (upload.finishing && upload.finishing.until > new Date()) {
      throw new UploadRefused('upload_in_progress', 'This upload is being turned into a track right now', { id });
    }
    await removeUpload(this.deps, upload);
  }

  override async write(source: Readable, id: string, offset: number): Promise<number> {
    const { uploads, originals, metrics } = this.deps;
    // read again though tus has just read it: its locker holds within one replica, and this is the check across them
    const upload = await this.find(id);
    if (upload.offset !== offset) throw ERRORS.INVALID_OFFSET;
    const expected = patchChecksum.getStore();
    const hash = expected && startChecksum(expected);
    const firstChunk = Math.floor(offset / ORIGINAL_CHUNK_BYTES);
    const start = firstChunk * ORIGINAL_CHUNK_BYTES;
    // the chunk the offset falls in is completed: its stored part is written again with what follows
    const head = offset > start ? (await originals.readChunk(id, firstChunk))?.subarray(0, offset - start) : Buffer.alloc(0);
    if (head === undefined || head.length !== offset - start) throw new Error(`chunk ${firstChunk} of upload ${id} is missing`);
    let committed: Promise<void> = Promise.resolve();
    const commit = () => {
      const reached = start + writer.written();
      committed = committed.then(() => uploads.advance(id, reached)).catch(() => undefined);
    };
    // a chunk a write: the offset moves on a MiB at a time, and a client cut off sends at most that again
    const writer = originals.openWriter(id, expected ? undefined : commit, { firstChunk, head }, 1);
    let cutShort: unknown;
    try {
      for await (const data of source as AsyncIterable<Buffer>) {
        hash?.update(data);
        metrics.uploadBytesReceived(data.length);
        if (!writer.stream.write(data)) await once(writer.stream, 'drain');
      }
    } catch (error) {
      cutShort = error;
    }
    // what arrived before the connection dropped is kept, unless there is a checksum it cannot be checked against
    writer.stream.end();
    await finished(writer.stream);
    await committed;
    if (cutShort !== undefined && expected) throw cutShort;
    if (expected && hash) checkChecksum(expected, hash);
    const reached = start + writer.written();
    await uploads.advance(id, reached);
    if (cutShort !== undefined) throw cutShort;
    return reached;
  }

  override getExpiration(): number {
    return this.deps.config.uploadExpiryMs;
  }

  private async find(id: string): Promise<UploadDocument> {
    const upload = await this.deps.uploads.get(id);
    if (!upload) throw ERRORS.FILE_NOT_FOUND;
    return upload;
  }
}
