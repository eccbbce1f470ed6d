import { createHash } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { join } from 'node:path';
import { type Readable, Transform, type TransformCallback, type Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import busboy from 'busboy';
import type { Request } from 'express';
import { UploadRefused } from './upload-refused.js';
import { teeWritable } from '../../shared/util/tee-writable.js';
import { disposableTempDir } from '../../shared/util/temp-dir.js';
import { cleanFilename } from './filename.js';
import { busy } from '../../shared/refusal.js';
import type { StagingBudget } from './staging-budget.js';
import { type UploadPace, watchUploadPace } from './upload-pace.js';

export interface ReceivedUpload {
  /** the bytes as they came, in a temp file */
  path: string;
  filename: string;
  bytes: number;
  sha256: string;
  /** the other form fields, unvalidated */
  fields: Record<string, string>;
  /** removes the temp file; whoever holds the upload last calls it */
  dispose(): Promise<void>;
}

export interface UploadLimits {
  tmpDir: string;
  maxBytes: number;
  /** shared by every upload on this replica, and held until its job is done */
  budget: StagingBudget;
  pace: UploadPace;
  /** told of the file's bytes as they arrive (the upload metrics) */
  onBytes: (bytes: number) => void;
  /** aborted when the replica can wait no longer (its grace period is ending): the upload is refused with its reason */
  cutOff?: AbortSignal;
}

/** Room for multipart boundaries and small fields around the file itself. */
const MULTIPART_OVERHEAD_BYTES = 64 * 1024;

const tooLarge = (maxBytes: number) =>
  new UploadRefused('payload_too_large', `The file is larger than the ${maxBytes} bytes this service accepts`, { maxBytes });

/**
 * Counts and hashes the bytes on their way to disk, taking them from the
 * replica's staging budget, and stops the upload once it passes the limit or
 * the budget runs out.
 */
class UploadMeter extends Transform {
  bytes = 0;
  private readonly hash = createHash('sha256');

  constructor(
    private readonly maxBytes: number,
    private readonly budget: StagingBudget,
    private readonly onBytes: (bytes: number) => void,
  ) {
    super();
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, done: TransformCallback) {
    if (this.bytes + chunk.length > this.maxBytes) return done(tooLarge(this.maxBytes));
    if (!this.budget.tryReserve(chunk.length)) return done(busy('its disk holds as many uploads as it may'));
    this.bytes += chunk.length;
    this.onBytes(chunk.length);
    this.hash.update(chunk);
    done(null, chunk);
  }

  digest() {
    return this.hash.digest('hex');
  }
}

interface SavedFile {
  path: string;
  filename: string;
  bytes: number;
  sha256: string;
}

async function saveStream(
  source: Readable,
  dir: string,
  clientName: string | undefined,
  meter: UploadMeter,
  signal: AbortSignal,
  copyTo: Writable | undefined,
): Promise<SavedFile> {
  const filename = cleanFilename(clientName);
  // a name the client does not choose: what a file is is read from its bytes, never from its name
  const path = join(dir, 'upload');
  // piped rather than put in the pipeline: a refused upload must not destroy the request, whose
  // connection still has to carry the answer (pipeline would destroy it, and the socket with it)
  const stop = (error?: Error) => meter.destroy(error ?? new Error('the client went away during the upload'));
  const abort = () => stop(signal.reason as Error);
  source.once('error', stop);
  source.once('aborted', stop);
  signal.addEventListener('abort', abort, { once: true });
  source.pipe(meter);
  try {
    if (signal.aborted) abort();
    const file = createWriteStream(path);
    await pipeline(meter, copyTo ? teeWritable([file, copyTo]) : file);
  } finally {
    source.unpipe(meter);
    source.off('error', stop);
    source.off('aborted', stop);
    signal.removeEventListener('abort', abort);
  }
  return { path, filename, bytes: meter.bytes, sha256: meter.digest() };
}

/** `X-Filename` may be percent-encoded UTF-8, since header values are Latin-1. */
function rawFilename(req: Request): string | undefined {
  const header = req.get('x-filename');
  try {
    return header && decodeURIComponent(header);
  } catch {
    return header;
  }
}

/** Streams the `file` part to disk; everything else in the form is a small text field. */
function receiveMultipart(
  req: Request,
  dir: string,
  meter: UploadMeter,
  signal: AbortSignal,
  copyTo: Writable | undefined,
): Promise<{ file: SavedFile | undefined; fields: Record<string, string> }> {
  return new Promise((resolve, reject) => {
    const fields: Record<string, string> = {};
    const problems: Record<string, string[]> = {};
    const problem = (field: string, message: string) => (problems[field] ??= []).push(message);
    let saving: Promise<SavedFile> | undefined;
    let settled = false;
    // the refusal goes out once the file being written (if any) is closed, so nothing is left open behind it
    const fail = (error: unknown) => {
      if (settled) return;
      settled = true;
      req.unpipe(parser);
      const refuse = () => reject(error);
      if (!saving) return refuse();
      // the meter is in the file's pipeline, which takes its error; outside one, an error would go unheard
      meter.destroy(error as Error);
      saving.then(refuse, refuse);
    };
    let parser: busboy.Busboy;
    try {
      parser = busboy({
        headers: req.headers,
        defParamCharset: 'utf8',
        limits: { files: 1, fields: 20, fieldSize: 4096, parts: 30 },
      });
    } catch (error) {
      // a Content-Type busboy cannot parse at all (multipart/form-data without a boundary)
      reject(new UploadRefused('validation_failed', `The multipart body is malformed: ${(error as Error).message}`));
      return;
    }
    parser.on('file', (name, stream, info) => {
      if (name !== 'file') {
        problem(name, 'is not a field this request takes');
        stream.resume();
        return;
      }
      saving = saveStream(stream, dir, info.filename, meter, signal, copyTo);
      saving.catch(fail);
    });
    parser.on('field', (name, value, info) => {
      if (info.valueTruncated) problem(name, 'is too long');
      fields[name] = value;
    });
    parser.on('filesLimit', () => problem('file', 'send one file per upload'));
    parser.on('fieldsLimit', () => problem('(form)', 'too many fields'));
    parser.on('partsLimit', () => problem('(form)', 'too many parts'));
    parser.on('error', (error: Error) =>
      fail(new UploadRefused('validation_failed', `The multipart body is malformed: ${error.message}`)),
    );
    parser.on('close', () => {
      if (settled) return;
      if (Object.keys(problems).length > 0) {
        return fail(new UploadRefused('validation_failed', 'The upload form is not valid', { fields: problems }));
      }
      (saving ?? Promise.resolve(undefined)).then((file) => {
        if (settled) return;
        settled = true;
        resolve({ file, fields });
      }, fail);
    });
    req.on('error', fail);
    signal.addEventListener('abort', () => fail(signal.reason), { once: true });
    req.pipe(parser);
  });
}

function expectedChecksum(req: Request): string | undefined {
  const header = req.get('x-content-sha256')?.trim();
  if (header === undefined) return undefined;
  if (!/^[0-9a-fA-F]{64}$/.test(header)) {
    throw new UploadRefused('validation_failed', 'X-Content-SHA256 must be the hex SHA-256 of the file', {
      fields: { 'X-Content-SHA256': ['must be 64 hex digits'] },
    });
  }
  return header.toLowerCase();
}

/**
 * Receives `POST /tracks`: multipart/form-data with a `file` field, or a raw
 * `audio/*` (or octet-stream) body named by `X-Filename`. The file is streamed
 * to a temp file while it is hashed and counted, never held in memory, and to
 * `copyTo` as well when given (at the pace of the slower); a rejected upload
 * leaves no file behind (what went to `copyTo` is its owner's to remove).
 */
export async function receiveUpload(
  req: Request,
  { tmpDir, maxBytes, budget, pace, onBytes, cutOff }: UploadLimits,
  copyTo?: Writable,
): Promise<ReceivedUpload> {
  const checksum = expectedChecksum(req);
  const multipart = req.is('multipart/form-data') === 'multipart/form-data';
  if (!multipart && !req.is(['audio/*', 'application/octet-stream'])) {
    throw new UploadRefused(
      'unsupported_media_type',
      'Send multipart/form-data with a "file" field, or the raw audio with an audio/* Content-Type',
      { contentType: req.get('content-type') ?? null },
    );
  }
  const declaredLength = Number(req.get('content-length'));
  if (declaredLength > maxBytes + (multipart ? MULTIPART_OVERHEAD_BYTES : 0)) throw tooLarge(maxBytes);

  const meter = new UploadMeter(maxBytes, budget, onBytes);
  const { dir, dispose } = await disposableTempDir(tmpDir, 'upload', () => budget.release(meter.bytes));
  const tooSlow = new AbortController();
  const stopWatching = watchUploadPace(req, pace, (error) => tooSlow.abort(error));
  const stop = cutOff ? AbortSignal.any([tooSlow.signal, cutOff]) : tooSlow.signal;
  try {
    const { file, fields } = multipart
      ? await receiveMultipart(req, dir, meter, stop, copyTo)
      : {
          file: await saveStream(req, dir, rawFilename(req), meter, stop, copyTo),
          fields: {},
        };
    if (!file) {
      throw new UploadRefused('validation_failed', 'The form has no "file" field', { fields: { file: ['is required'] } });
    }
    if (file.bytes === 0) throw new UploadRefused('empty_upload', 'The file is empty');
    if (checksum && checksum !== file.sha256) {
      throw new UploadRefused('checksum_mismatch', 'The file does not match X-Content-SHA256', {
        expected: checksum,
        received: file.sha256,
      });
    }
    stopWatching();
    return { ...file, fields, dispose };
  } catch (error) {
    stopWatching();
    await dispose();
    throw error;
  }
}
