import type { UploadFields } from '../../functions/core/schemas/track.js';

/** Bytes to upload, however the caller holds them. */
export interface UploadSource {
  filename: string;
  /** null when the input is a stream of unknown length */
  size: number | null;
  /** the media type, when the input says (a File does) */
  type: string;
  /** a fresh stream of the bytes each call */
  stream(): ReadableStream<Uint8Array>;
  /** the Blob itself, which a browser can upload without reading it */
  blob?: Blob;
  /** bytes in memory as a Blob, for a browser (which streams request bodies only over HTTP/2) */
  toBlob?: () => Blob;
  /** the bytes themselves, when they are in memory */
  bytes?: Uint8Array;
  /** the file it reads, in Node: read again from any offset, so a resumable upload can go on from where it stopped */
  path?: string;
}

export interface UploadProgress {
  /** file bytes sent so far */
  loaded: number;
  /** the file's size, or null for a stream of unknown length */
  total: number | null;
}

const CHUNK_BYTES = 64 * 1024;
const encoder = new TextEncoder();

export function blobSource(blob: Blob, filename?: string): UploadSource {
  const name = filename ?? ('name' in blob && typeof blob.name === 'string' && blob.name ? blob.name : 'upload');
  return { filename: name, size: blob.size, type: blob.type, stream: () => blob.stream(), blob };
}

/** Bytes already in memory are sent a slice at a time, never copied whole. */
export function bytesSource(bytes: Uint8Array, filename = 'upload'): UploadSource {
  return {
    filename,
    size: bytes.byteLength,
    type: '',
    bytes,
    toBlob: () => new Blob([bytes as Uint8Array<ArrayBuffer>]),
    stream: () => {
      let offset = 0;
      return new ReadableStream<Uint8Array>({
        pull(controller) {
          if (offset >= bytes.byteLength) return controller.close();
          controller.enqueue(bytes.subarray(offset, offset + CHUNK_BYTES));
          offset += CHUNK_BYTES;
        },
      });
    },
  };
}

/** A stream can be read once: a second `stream()` call is a bug in the caller, said plainly. */
export function streamSource(input: ReadableStream<Uint8Array> | AsyncIterable<Uint8Array>, filename = 'upload', size: number | null = null): UploadSource {
  let used = false;
  return {
    filename,
    size,
    type: '',
    stream: () => {
      if (used) throw new TypeError('a stream can be uploaded only once; pass a path, Blob or bytes to retry');
      used = true;
      return input instanceof ReadableStream ? input : iterableStream(input);
    },
  };
}

function iterableStream(iterable: AsyncIterable<Uint8Array>): ReadableStream<Uint8Array> {
  const iterator = iterable[Symbol.asyncIterator]();
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      const { done, value } = await iterator.next();
      if (done) controller.close();
      else controller.enqueue(typeof value === 'string' ? encoder.encode(value) : new Uint8Array(value.buffer, value.byteOffset, value.byteLength));
    },
    async cancel(reason) {
      await iterator.return?.(reason);
    },
  });
}

/**
 * Reports upload progress from 0 to the total, only ever forward: whatever
 * the source of the counts, a listener never sees a step back or a repeat.
 */
export function progressReporter(total: number | null, onProgress: ((progress: UploadProgress) => void) | undefined): (loaded: number) => void {
  if (!onProgress) return () => {};
  let reported = 0;
  onProgress({ loaded: 0, total });
  return (loaded) => {
    if (loaded <= reported) return;
    reported = loaded;
    onProgress({ loaded, total });
  };
}

/** Counts each chunk as it is handed on, so progress follows what the connection has taken. */
export function countProgress(stream: ReadableStream<Uint8Array>, report: (loaded: number) => void): ReadableStream<Uint8Array> {
  let loaded = 0;
  return stream.pipeThrough(
    new TransformStream<Uint8Array, Uint8Array>({
      transform(chunk, controller) {
        controller.enqueue(chunk);
        loaded += chunk.byteLength;
        report(loaded);
      },
    }),
  );
}

export interface MultipartBody {
  contentType: string;
  /** known when the file's size is */
  length: number | null;
  stream: ReadableStream<Uint8Array>;
}

/**
 * A multipart/form-data body streamed around the file: the tag fields first,
 * then the file, so the server sees the fields before the bytes.
 */
export function multipartBody(fields: UploadFields, file: UploadSource, fileStream: ReadableStream<Uint8Array>): MultipartBody {
  const boundary = `segue-${crypto.randomUUID()}`;
  let head = '';
  for (const [name, value] of Object.entries(fields)) {
    if (value === undefined) continue;
    head += `--${boundary}\r\nContent-Disposition: form-data; name="${name}"\r\n\r\n${value}\r\n`;
  }
  head += `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="${quoteFilename(file.filename)}"\r\n`;
  head += `Content-Type: ${file.type || 'application/octet-stream'}\r\n\r\n`;
  const headBytes = encoder.encode(head);
  const tailBytes = encoder.encode(`\r\n--${boundary}--\r\n`);
  const reader = fileStream.getReader();
  let stage: 'head' | 'file' | 'done' = 'head';
  const stream = new ReadableStream<Uint8Array>({
    async pull(controller) {
      if (stage === 'head') {
        stage = 'file';
        return controller.enqueue(headBytes);
      }
      if (stage === 'done') return;
      const { done, value } = await reader.read();
      if (!done) return controller.enqueue(value);
      stage = 'done';
      controller.enqueue(tailBytes);
      controller.close();
    },
    cancel(reason) {
      return reader.cancel(reason);
    },
  });
  return {
    contentType: `multipart/form-data; boundary=${boundary}`,
    length: file.size === null ? null : headBytes.byteLength + file.size + tailBytes.byteLength,
    stream,
  };
}

/** Form-data file names travel as UTF-8 with quotes and line breaks escaped, as browsers send them. */
function quoteFilename(name: string): string {
  return name.replace(/"/g, '%22').replace(/\r/g, '%0D').replace(/\n/g, '%0A');
}
