import { Readable } from 'node:stream';
import busboy from 'busboy';
import { expect } from 'chai';
import {
  blobSource,
  bytesSource,
  countProgress,
  multipartBody,
  progressReporter,
  streamSource,
  type UploadProgress,
  type UploadSource,
} from '../../../api-client/src/upload-body.js';
import type { UploadFields } from '../../../functions/core/schemas/track.js';

async function readAll(stream: ReadableStream<Uint8Array>): Promise<Uint8Array[]> {
  const chunks: Uint8Array[] = [];
  for await (const chunk of stream) chunks.push(chunk);
  return chunks;
}

async function bytesOf(stream: ReadableStream<Uint8Array>): Promise<Buffer> {
  return Buffer.concat(await readAll(stream));
}

/** Distinct bytes, so a slice out of place shows. */
const pattern = (length: number) => Uint8Array.from({ length }, (_, index) => (index * 7 + (index >> 8)) & 0xff);

interface Parsed {
  fields: Array<[string, string]>;
  files: Array<{ name: string; filename: string; mimeType: string; bytes: Buffer }>;
}

/** Reads a body with busboy, the multipart parser the service reads uploads with. */
function parse(contentType: string, body: Buffer): Promise<Parsed> {
  return new Promise((resolve, reject) => {
    const parsed: Parsed = { fields: [], files: [] };
    const parser = busboy({ headers: { 'content-type': contentType }, defParamCharset: 'utf8' });
    parser.on('field', (name, value) => parsed.fields.push([name, value]));
    parser.on('file', (name, stream, info) => {
      const chunks: Buffer[] = [];
      stream.on('data', (chunk: Buffer) => chunks.push(chunk));
      stream.on('end', () => parsed.files.push({ name, filename: info.filename ?? '', mimeType: info.mimeType, bytes: Buffer.concat(chunks) }));
    });
    parser.on('close', () => resolve(parsed));
    parser.on('error', reject);
    parser.end(body);
  });
}

async function sent(fields: UploadFields, source: UploadSource) {
  const body = multipartBody(fields, source, source.stream());
  const bytes = await bytesOf(body.stream);
  return { body, bytes, parsed: await parse(body.contentType, bytes) };
}

describe('the SDK upload body', () => {
  describe('multipart framing', () => {
    it('sends the tag fields first, in order, then the file, framed exactly as multipart/form-data says', async () => {
      const file = pattern(1000);
      const { body, bytes } = await sent({ title: 'Harbour Lights', artist: 'The Tides' }, bytesSource(file, 'song.mp3'));
      const boundary = /^multipart\/form-data; boundary=(segue-[0-9a-f-]{36})$/.exec(body.contentType)?.[1];
      expect(boundary, body.contentType).to.be.a('string');
      const head =
        `--${boundary}\r\nContent-Disposition: form-data; name="title"\r\n\r\nHarbour Lights\r\n` +
        `--${boundary}\r\nContent-Disposition: form-data; name="artist"\r\n\r\nThe Tides\r\n` +
        `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="song.mp3"\r\nContent-Type: application/octet-stream\r\n\r\n`;
      expect(bytes.equals(Buffer.concat([Buffer.from(head), file, Buffer.from(`\r\n--${boundary}--\r\n`)]))).to.equal(true);
    });

    it('is read back by a multipart parser as the same fields and the same file bytes', async () => {
      const file = pattern(300_000);
      const { parsed } = await sent({ title: 'Harbour Lights', artist: 'The Tides', album: 'Low Water' }, bytesSource(file, 'song.mp3'));
      expect(parsed.fields).to.deep.equal([
        ['title', 'Harbour Lights'],
        ['artist', 'The Tides'],
        ['album', 'Low Water'],
      ]);
      expect(parsed.files).to.have.length(1);
      expect(parsed.files[0]).to.deep.include({ name: 'file', filename: 'song.mp3', mimeType: 'application/octet-stream' });
      expect(parsed.files[0]!.bytes.equals(file)).to.equal(true);
    });

    it('leaves out fields that are undefined, and sends a file alone when there are none', async () => {
      const { parsed } = await sent({ title: undefined, artist: 'The Tides' }, bytesSource(pattern(10), 'a.wav'));
      expect(parsed.fields).to.deep.equal([['artist', 'The Tides']]);
      const alone = await sent({}, bytesSource(pattern(10), 'a.wav'));
      expect(alone.parsed.fields).to.deep.equal([]);
      expect(alone.parsed.files.map((file) => file.filename)).to.deep.equal(['a.wav']);
    });

    it('sends a File\'s own type and name, and UTF-8 names and tags as UTF-8', async () => {
      const file = new File([pattern(64)], 'Café – live.flac', { type: 'audio/flac' });
      const { parsed } = await sent({ artist: 'Sigur Rós' }, blobSource(file));
      expect(parsed.fields).to.deep.equal([['artist', 'Sigur Rós']]);
      expect(parsed.files[0]).to.deep.include({ filename: 'Café – live.flac', mimeType: 'audio/flac' });
    });

    it('escapes quotes and line breaks in a file name as browsers do, so it cannot break the framing', async () => {
      const { bytes, parsed } = await sent({}, bytesSource(pattern(10), 'a "quoted"\r\nname.mp3'));
      expect(bytes.toString('latin1')).to.contain('filename="a %22quoted%22%0D%0Aname.mp3"');
      expect(parsed.files.map((file) => file.filename)).to.deep.equal(['a %22quoted%22%0D%0Aname.mp3']);
    });

    it('makes a new boundary for every body', () => {
      const types = new Set(Array.from({ length: 5 }, () => multipartBody({}, bytesSource(pattern(1)), bytesSource(pattern(1)).stream()).contentType));
      expect(types.size).to.equal(5);
    });
  });

  describe('lengths', () => {
    it('knows the body\'s length in bytes, not characters, when the file\'s size is known', async () => {
      for (const [fields, source] of [
        [{ title: 'Ünïcödé ✓', artist: '東京' }, bytesSource(pattern(70_000), 'naïve.mp3')],
        [{}, blobSource(new File([pattern(5)], 'über.wav', { type: 'audio/wav' }))],
        [{ album: 'x' }, bytesSource(new Uint8Array(0), 'empty.mp3')],
      ] as Array<[UploadFields, UploadSource]>) {
        const { body, bytes } = await sent(fields, source);
        expect(body.length, source.filename).to.equal(bytes.byteLength);
      }
    });

    it('leaves the length unknown for a stream of unknown size', async () => {
      const { body, bytes, parsed } = await sent({ title: 'Live' }, streamSource(Readable.from([Buffer.from('abc'), Buffer.from('def')]), 'live.mp3'));
      expect(body.length).to.equal(null);
      expect(parsed.files[0]!.bytes.toString()).to.equal('abcdef');
      expect(bytes.byteLength).to.be.above(6);
    });

    it('gives each source its size, and a stream none unless told', () => {
      expect(bytesSource(pattern(123)).size).to.equal(123);
      expect(blobSource(new Blob([pattern(77)])).size).to.equal(77);
      expect(streamSource(Readable.from([])).size).to.equal(null);
      expect(streamSource(Readable.from([]), 'a.mp3', 42).size).to.equal(42);
    });
  });

  describe('sources', () => {
    it('sends bytes in memory 64 KiB at a time, as views of the same memory rather than copies, afresh on each stream()', async () => {
      const bytes = pattern(200 * 1024);
      const source = bytesSource(bytes);
      const chunks = await readAll(source.stream());
      expect(chunks.map((chunk) => chunk.byteLength)).to.deep.equal([65_536, 65_536, 65_536, 8_192]);
      expect(chunks.every((chunk) => chunk.buffer === bytes.buffer)).to.equal(true);
      expect((await bytesOf(source.stream())).equals(bytes), 'a second read').to.equal(true);
      expect(source.toBlob!().size).to.equal(bytes.byteLength);
    });

    it('names a Blob after its File, else "upload", unless a name is given', () => {
      expect(blobSource(new File([], 'song.mp3')).filename).to.equal('song.mp3');
      expect(blobSource(new Blob([])).filename).to.equal('upload');
      expect(blobSource(new File([], 'song.mp3'), 'other.mp3').filename).to.equal('other.mp3');
      expect(bytesSource(pattern(1)).filename).to.equal('upload');
    });

    it('reads a stream once: a second stream() is a TypeError that says what to pass instead', async () => {
      const source = streamSource(new Blob(['abc']).stream());
      expect((await bytesOf(source.stream())).toString()).to.equal('abc');
      expect(() => source.stream()).to.throw(TypeError, 'a stream can be uploaded only once; pass a path, Blob or bytes to retry');
    });

    it('reads any async iterable of bytes, and of strings as UTF-8', async () => {
      async function* parts() {
        yield new Uint8Array([1, 2]);
        yield Buffer.from([3]);
      }
      expect([...(await bytesOf(streamSource(parts()).stream()))]).to.deep.equal([1, 2, 3]);
      const text = streamSource(Readable.from(['é', 'a'], { objectMode: true }) as AsyncIterable<Uint8Array>);
      expect((await bytesOf(text.stream())).toString('utf8')).to.equal('éa');
    });

    it('passes a cancelled body on to the file\'s stream, so the file stops being read', async () => {
      let cancelled: unknown = 'not cancelled';
      const file = new ReadableStream<Uint8Array>({
        pull: (controller) => controller.enqueue(pattern(1024)),
        cancel: (reason) => {
          cancelled = reason;
        },
      });
      const body = multipartBody({}, streamSource(file), file);
      const reader = body.stream.getReader();
      await reader.read();
      await reader.read();
      await reader.cancel('the server answered 413');
      expect(cancelled).to.equal('the server answered 413');
    });
  });

  describe('progress', () => {
    it('reports 0 first, then only steps forward: no repeat and no step back', () => {
      const events: UploadProgress[] = [];
      const report = progressReporter(100, (progress) => events.push(progress));
      for (const loaded of [10, 10, 5, 60, 59, 100, 100]) report(loaded);
      expect(events).to.deep.equal([
        { loaded: 0, total: 100 },
        { loaded: 10, total: 100 },
        { loaded: 60, total: 100 },
        { loaded: 100, total: 100 },
      ]);
    });

    it('reports a total of null for a stream of unknown length', () => {
      const events: UploadProgress[] = [];
      progressReporter(null, (progress) => events.push(progress))(5);
      expect(events).to.deep.equal([
        { loaded: 0, total: null },
        { loaded: 5, total: null },
      ]);
    });

    it('counts each chunk as it is read from the file, ending at its size, and passes the bytes on unchanged', async () => {
      const bytes = pattern(150_000);
      const events: UploadProgress[] = [];
      const source = bytesSource(bytes);
      const counted = countProgress(source.stream(), progressReporter(source.size, (progress) => events.push(progress)));
      expect((await bytesOf(counted)).equals(bytes)).to.equal(true);
      expect(events.map((event) => event.loaded)).to.deep.equal([0, 65_536, 131_072, 150_000]);
      expect(events.every((event) => event.total === 150_000)).to.equal(true);
    });

    it('counts the file\'s bytes only, not the framing around them', async () => {
      const bytes = pattern(1_000);
      const events: UploadProgress[] = [];
      const source = bytesSource(bytes, 'a.mp3');
      const body = multipartBody({ title: 'T' }, source, countProgress(source.stream(), progressReporter(source.size, (progress) => events.push(progress))));
      const whole = await bytesOf(body.stream);
      expect(whole.byteLength).to.be.above(1_000);
      expect(events.at(-1)).to.deep.equal({ loaded: 1_000, total: 1_000 });
    });
  });
});
