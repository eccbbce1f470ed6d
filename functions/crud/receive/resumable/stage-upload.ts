import { createHash } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { join } from 'node:path';
import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { ORIGINAL_CHUNK_BYTES } from '../../../shared/storage/original-store.js';
import type { UploadDocument } from '../../../shared/storage/upload-store.js';
import { disposableTempDir } from '../../../shared/util/temp-dir.js';
import type { ReceivedUpload } from '../receive-upload.js';
import { busy } from '../../../shared/refusal.js';
import type { CrudServices } from '../../services.js';

type StageServices = Pick<CrudServices, 'originals' | 'config' | 'uploadLimits'>;

/**
 * Copies a complete resumable upload from its stored chunks to a temp file
 * (which ffmpeg reads), hashing it on the way, a chunk or two in memory at a
 * time: the same `ReceivedUpload` a direct upload ends with.
 */
export async function stageUpload({ originals, config, uploadLimits: { budget } }: StageServices, upload: UploadDocument): Promise<ReceivedUpload> {
  if (!budget.tryReserve(upload.length)) throw busy('its disk holds as many uploads as it may');
  const { dir, dispose } = await disposableTempDir(config.tmpDir, 'upload', () => budget.release(upload.length)).catch((error: unknown) => {
    budget.release(upload.length);
    throw error;
  });
  const path = join(dir, 'upload');
  const hash = createHash('sha256');
  const hashing = new Transform({
    transform(data: Buffer, _encoding, done) {
      hash.update(data);
      done(null, data);
    },
  });
  try {
    await pipeline(originals.open({ _id: upload._id, length: upload.length, chunkSize: ORIGINAL_CHUNK_BYTES }), hashing, createWriteStream(path));
  } catch (error) {
    await dispose();
    throw error;
  }
  return { path, filename: upload.filename, bytes: upload.length, sha256: hash.digest('hex'), fields: upload.fields, dispose };
}
