import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { mkdtemp, readdir, readFile, readlink, rm, stat, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { request as httpRequest, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { expect } from 'chai';
import { closeServer, listen } from '../../../functions/shared/http/listen.js';
import type { Track } from '../../../functions/core/schemas/track.js';
import { type CrudHarness, expectNothingStored, startCrud } from '../../support/crud.js';
import { distinctCopy, fixture } from '../../support/fixtures.js';
import { mediaTools } from '../../support/media.js';
import { dripUpload as dripUploadTo, jsonAnswer, piecesOf } from '../../support/net.js';

const run = promisify(execFile);

/**
 * Whether reading a file shows in its access time here (it does on relatime
 * mounts once the access time is older than the change time), so that "never
 * read" can be checked rather than assumed.
 */
async function accessTimesShowReads(dir: string): Promise<boolean> {
  const probe = join(dir, 'atime-probe');
  await writeFile(probe, 'x');
  await utimes(probe, 0, new Date());
  await readFile(probe);
  return (await stat(probe)).atimeMs > 0;
}

/** An error body tells the client what is wrong with its request, and nothing about the machine. */
function expectNoInternals(body: unknown): void {
  const text = JSON.stringify(body);
  for (const leak of [tmpdir(), process.cwd(), 'ffmpeg', 'ffprobe', 'Error:', '.ts:']) {
    expect(text, `the error body mentions ${leak}`).to.not.contain(leak);
  }
}

describe('POST /tracks with hostile files', function () {
  this.timeout(120_000);
  let harness: CrudHarness;
  let dir: string;

  beforeEach(async () => {
    harness = await startCrud();
  });
  afterEach(() => harness.close());
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'segue-hostile-'));
  });
  after(() => rm(dir, { recursive: true, force: true }));

  describe('that point at other files', () => {
    let secret: string;
    let canTellReads: boolean;

    before(async () => {
      // audio that is reachable only through the references below (an MP3: ffmpeg's playlist reader takes it)
      secret = join(dir, 'secret.mp3');
      await run(mediaTools.ffmpeg, ['-v', 'error', '-f', 'lavfi', '-i', 'sine=f=330:d=3', '-ar', '44100', '-c:a', 'libmp3lame', secret]);
      canTellReads = await accessTimesShowReads(dir);
      if (!canTellReads) console.warn('      not checked: access times on this filesystem do not show reads');
    });
    beforeEach(() => utimes(secret, 0, new Date()));
    afterEach(async () => {
      await expectNothingStored(harness);
      if (canTellReads) expect((await stat(secret)).atimeMs, 'the file the upload named was never read').to.equal(0);
    });

    const playlist = (reference: string) =>
      Buffer.from(`#EXTM3U\n#EXT-X-VERSION:3\n#EXT-X-TARGETDURATION:3\n#EXTINF:3.0,\n${reference}\n#EXT-X-ENDLIST\n`);

    for (const [filename, reference] of [
      ['playlist.m3u8', 'path'],
      ['song.mp3', 'path'],
      ['song.mp3', 'file: URI'],
    ] as const) {
      it(`refuses an HLS playlist named ${filename} that names a local file by ${reference}, with 415`, async () => {
        const body = playlist(reference === 'path' ? secret : `file://${secret}`);
        const response = await harness.http.post('/tracks?wait=true').attach('file', body, filename);
        expect(response.status, response.body.error?.code ?? response.body.status).to.equal(415);
        expect(response.body.error.code).to.equal('unsupported_media_type');
        expectNoInternals(response.body);
      });
    }

    it('refuses an ffmpeg concat list, with 415', async () => {
      const body = Buffer.from(`ffconcat version 1.0\nfile '${secret}'\n`);
      const response = await harness.http.post('/tracks?wait=true').attach('file', body, 'list.mp3');
      expect(response.status, response.body.error?.code ?? response.body.status).to.equal(415);
    });
  });

  describe('whose tags imitate what the service reads from ffprobe', () => {
    it('takes the stream facts from the stream, not from a title that spells other values', async () => {
      // Vorbis comments are stream tags: ffprobe's key=value text prints them inside the stream's block
      const path = join(dir, 'injected.ogg');
      const title = 'Lure\nsample_rate=2000000000\nchannels=64';
      await run(mediaTools.ffmpeg, [
        ...['-v', 'error', '-f', 'lavfi', '-i', 'sine=f=440:d=2', '-ar', '44100', '-ac', '2'],
        ...['-metadata', `title=${title}`, '-c:a', 'libvorbis', path],
      ]);
      const response = await harness.http.post('/tracks?wait=true').attach('file', path, 'injected.ogg');
      expect(response.status, response.body.error?.code ?? response.body.status).to.equal(201);
      const track = response.body as Track;
      expect(track.status).to.equal('ready');
      expect(track.source).to.include({ sampleRate: 44100, channels: 2 });
      expect(track.durationSec).to.be.closeTo(2, 0.1);
      for (const rendition of track.renditions) expect(rendition.sampleRate).to.equal(44100);
    });
  });

  it('answers 422 for audio whose frames are garbage, saying nothing of paths or the decoder', async () => {
    const flac = await readFile((await fixture('hiresFlac')).path);
    // a real FLAC header, then noise where the frames should be
    const body = Buffer.concat([flac.subarray(0, 8192), randomBytes(200_000)]);
    const response = await harness.http.post('/tracks?wait=true').attach('file', body, 'noise.flac');
    expect(response.status, response.body.error?.code ?? response.body.status).to.be.oneOf([415, 422]);
    expectNoInternals(response.body);
    await expectNothingStored(harness);
  });

  it('answers 422 for a WAV in a codec nothing decodes, saying nothing of paths or the decoder', async () => {
    const wav = await readFile((await fixture('plainWav')).path);
    // the format tag of the fmt chunk says a codec that does not exist
    const formatTag = wav.indexOf('fmt ') + 8;
    wav.writeUInt16LE(0x9999, formatTag);
    const response = await harness.http.post('/tracks?wait=true').attach('file', wav, 'odd.wav');
    expect(response.status, response.body.error?.code ?? response.body.status).to.equal(422);
    expect(response.body.error.code).to.equal('undecodable_audio');
    expectNoInternals(response.body);
    await expectNothingStored(harness);
  });

  it('still takes a plain file whose name has no extension', async () => {
    const file = await fixture('taggedMp3');
    const response = await harness.http.post('/tracks?wait=true').attach('file', file.path, 'no-extension');
    expect(response.status, response.body.error?.code ?? response.body.status).to.equal(201);
    expect(response.body.status).to.equal('ready');
  });

  describe('longer than MAX_DURATION_SECONDS', () => {
    let limited: CrudHarness;
    beforeEach(async () => {
      limited = await startCrud({ MAX_DURATION_SECONDS: '5' });
    });
    afterEach(async () => {
      await expectNothingStored(limited);
      await limited.close();
    });

    it('answers 422 too_long when the headers say so, before decoding', async () => {
      const file = await fixture('plainWav');
      const response = await limited.http.post('/tracks?wait=true').attach('file', file.path, file.filename);
      expect(response.status, response.body.error?.code ?? response.body.status).to.equal(422);
      expect(response.body.error).to.deep.include({ code: 'too_long' });
      expect(response.body.error.details).to.include({ maxDurationSec: 5 });
    });

    it('answers 422 too_long when the headers claim nothing, once decoding passes the limit', async () => {
      const flac = await readFile((await fixture('hiresFlac')).path);
      // STREAMINFO's total sample count set to 0, "unknown", as a stream may
      const streamInfo = 8;
      flac[streamInfo + 13] = flac[streamInfo + 13]! & 0xf0;
      flac.fill(0, streamInfo + 14, streamInfo + 18);
      const response = await limited.http.post('/tracks?wait=true').attach('file', flac, 'endless.flac');
      expect(response.status, response.body.error?.code ?? response.body.status).to.equal(422);
      expect(response.body.error.code).to.equal('too_long');
    });
  });

  describe('with pictures that are not safe images', () => {
    /** An ID3v2.3 tag holding one front-cover APIC frame, before the audio of `mp3`. */
    function withPicture(mp3: Buffer, mimeType: string, picture: Buffer): Buffer {
      const body = Buffer.concat([Buffer.from([0]), Buffer.from(`${mimeType}\0`, 'latin1'), Buffer.from([3]), Buffer.from('cover\0', 'latin1'), picture]);
      const frameHeader = Buffer.alloc(10);
      frameHeader.write('APIC', 0, 'latin1');
      frameHeader.writeUInt32BE(body.length, 4);
      const frame = Buffer.concat([frameHeader, body]);
      const size = frame.length;
      const synchsafe = Buffer.from([(size >> 21) & 0x7f, (size >> 14) & 0x7f, (size >> 7) & 0x7f, size & 0x7f]);
      return Buffer.concat([Buffer.from('ID3', 'latin1'), Buffer.from([3, 0, 0]), synchsafe, frame, mp3]);
    }

    let audio: Buffer;
    before(async () => {
      const path = join(dir, 'plain.mp3');
      await run(mediaTools.ffmpeg, ['-v', 'error', '-y', '-f', 'lavfi', '-i', 'sine=f=440:d=2', '-ar', '44100', '-c:a', 'libmp3lame', '-write_xing', '0', '-id3v2_version', '0', path]);
      audio = await readFile(path);
    });

    const script = Buffer.from('<svg xmlns="http://www.w3.org/2000/svg"><script>fetch("/function/crud/tracks",{method:"POST"})</script></svg>');
    for (const [label, mimeType, picture] of [
      ['an SVG document', 'image/svg+xml', script],
      ['markup that calls itself a JPEG', 'image/jpeg', Buffer.concat([Buffer.from('<html>'), script])],
    ] as const) {
      it(`keeps no cover when the picture is ${label}, and the track is still made`, async () => {
        const response = await harness.http.post('/tracks?wait=true').attach('file', withPicture(audio, mimeType, picture), 'pictured.mp3');
        expect(response.status, response.body.error?.code ?? response.body.status).to.equal(201);
        expect(response.body).to.include({ status: 'ready', hasCover: false });
        expect(await harness.database.covers.countDocuments()).to.equal(0);
      });
    }

    it('skips a cover over 4 MiB without holding it, and keeps the track', async () => {
      const huge = join(dir, 'huge.png');
      // noise does not compress: about 6 MB of PNG
      await run(mediaTools.ffmpeg, ['-v', 'error', '-y', '-f', 'lavfi', '-i', 'nullsrc=s=1400x1400,geq=random(1)*255:random(2)*255:random(3)*255', '-frames:v', '1', huge]);
      const picture = await readFile(huge);
      expect(picture.length).to.be.above(4 * 1024 * 1024);
      const response = await harness.http.post('/tracks?wait=true').attach('file', withPicture(audio, 'image/png', picture), 'big-cover.mp3');
      expect(response.body).to.include({ status: 'ready', hasCover: false });
    });

    it('keeps a real PNG cover, with its sizes', async () => {
      const png = await readFile((await fixture('cover')).path);
      const response = await harness.http.post('/tracks?wait=true').attach('file', withPicture(audio, 'image/png', png), 'covered.mp3');
      expect(response.body).to.include({ status: 'ready', hasCover: true });
      expect(response.body.coverSizes).to.deep.equal([64]);
    });

    it('keeps no cover when the picture looks like a PNG and does not decode, and the track is still made', async () => {
      const png = await readFile((await fixture('cover')).path);
      const broken = Buffer.concat([png.subarray(0, 40), Buffer.alloc(400, 0x5a)]);
      const response = await harness.http.post('/tracks?wait=true').attach('file', withPicture(audio, 'image/png', broken), 'broken-cover.mp3');
      expect(response.status, response.body.error?.code ?? response.body.status).to.equal(201);
      expect(response.body).to.deep.include({ status: 'ready', hasCover: false, coverSizes: [] });
      expect(await harness.database.covers.countDocuments()).to.equal(0);
    });

    it('keeps no cover of more pixels than a cover needs, however few its bytes', async () => {
      const flat = join(dir, 'flat.png');
      await run(mediaTools.ffmpeg, ['-v', 'error', '-y', '-f', 'lavfi', '-i', 'color=size=6000x6000', '-frames:v', '1', flat]);
      const picture = await readFile(flat);
      expect(picture.length).to.be.below(1024 * 1024);
      const response = await harness.http.post('/tracks?wait=true').attach('file', withPicture(audio, 'image/png', picture), 'vast-cover.mp3');
      expect(response.body).to.deep.include({ status: 'ready', hasCover: false, coverSizes: [] });
      expect(await harness.database.covers.countDocuments()).to.equal(0);
    });
  });

  describe('that would hold a replica', () => {
    let limited: CrudHarness;
    let server: Server;
    afterEach(async () => {
      await closeServer(server);
      await limited.close();
    });
    const listening = async (env: Record<string, string>) => {
      limited = await startCrud(env);
      server = await listen(limited.crud.app, 0, '127.0.0.1');
    };

    const dripUpload = (chunks: Buffer[], gapMs: number, declaredBytes: number) =>
      dripUploadTo((server.address() as AddressInfo).port, chunks, { gapMs, declaredBytes });

    /** Streams a file as a raw body and resolves with the answer, which may come (and stop the sending) before the end. */
    function sendFile(path: string) {
      const { port } = server.address() as AddressInfo;
      return new Promise<{ status: number; retryAfter: string | undefined; body: { error: { code: string } } }>((resolve, reject) => {
        const body = createReadStream(path);
        const request = httpRequest(
          { host: '127.0.0.1', port, method: 'POST', path: '/tracks', headers: { 'Content-Type': 'audio/wav', 'X-Filename': 'long.wav' } },
          (response) => {
            body.unpipe(request);
            body.destroy();
            jsonAnswer(response).then(({ status, headers, body: answer }) => resolve({ status, retryAfter: headers['retry-after'] as string | undefined, body: answer }), reject);
          },
        );
        // a refusal may close the connection while the rest is still on its way
        request.on('error', (error) => (request.writableEnded ? undefined : reject(error)));
        body.pipe(request);
      });
    }

    it('answers 408 request_timeout to an upload that stops sending, and keeps nothing', async () => {
      await listening({ UPLOAD_IDLE_SECONDS: '1' });
      const response = await dripUpload([Buffer.alloc(10_000)], 0, 1_000_000);
      expect(response.status).to.equal(408);
      expect(response.body.error.code).to.equal('request_timeout');
      await expectNothingStored(limited);
    });

    it('answers 408 to a form that stops midway through its file, and leaves no file open or on disk', async () => {
      await listening({ UPLOAD_IDLE_SECONDS: '1' });
      const { port } = server.address() as AddressInfo;
      const response = await new Promise<number>((resolve, reject) => {
        const request = httpRequest(
          { host: '127.0.0.1', port, method: 'POST', path: '/tracks', headers: { 'Content-Type': 'multipart/form-data; boundary=cut', 'Content-Length': 1_000_000 } },
          (answer) => {
            answer.resume();
            resolve(answer.statusCode ?? 0);
          },
        );
        request.on('error', reject);
        request.write(`--cut\r\nContent-Disposition: form-data; name="file"; filename="a.wav"\r\n\r\n${'x'.repeat(50_000)}`);
      });
      expect(response).to.equal(408);
      await expectNothingStored(limited);
      const open = await Promise.all((await readdir('/proc/self/fd')).map((fd) => readlink(`/proc/self/fd/${fd}`).catch(() => '')));
      expect(open.filter((target) => target.startsWith(limited.tmpDir)), 'files still open in the temp dir').to.deep.equal([]);
    });

    it('answers 408 request_timeout to an upload that trickles in below MIN_UPLOAD_BYTES_PER_SECOND', async () => {
      await listening({ UPLOAD_IDLE_SECONDS: '1', MIN_UPLOAD_BYTES_PER_SECOND: '1000000' });
      const response = await dripUpload(Array.from({ length: 100 }, () => Buffer.alloc(1000)), 100, 1_000_000);
      expect(response.status).to.equal(408);
      expect(response.body.error.code).to.equal('request_timeout');
      await expectNothingStored(limited);
    });

    it('answers 503 service_busy with Retry-After once it holds MAX_QUEUED_JOBS tracks', async () => {
      await listening({ MAX_QUEUED_JOBS: '1' });
      const long = await fixture('longWav');
      const first = await limited.http.post('/tracks').attach('file', long.path, long.filename);
      expect(first.status).to.equal(202);
      const second = await sendFile(long.path);
      expect(second.status).to.equal(503);
      expect(second.body.error.code).to.equal('service_busy');
      expect(second.retryAfter).to.equal('30');
      await limited.crud.processor.whenSettled(first.body.id);
      expect(await limited.database.tracks.countDocuments(), 'only the first was kept').to.equal(1);
      // another file: the same one again would be answered with the first one's track, taking no room
      const other = await distinctCopy('longWav');
      const third = await limited.http.post('/tracks').attach('file', other.path, other.filename);
      expect(third.status, 'room again once the first is done').to.equal(202);
      await limited.crud.processor.whenSettled(third.body.id);
    });

    it('gives back the file and the staging room of an upload deleted while it waited for a slot', async () => {
      await listening({ MAX_CONCURRENT_JOBS: '1' });
      const long = await fixture('longWav');
      const other = await distinctCopy('longWav');
      const running = await limited.http.post('/tracks').attach('file', long.path, long.filename);
      const waiting = await limited.http.post('/tracks').attach('file', other.path, other.filename);
      expect([running.status, waiting.status]).to.deep.equal([202, 202]);
      const staged = async () => (await readdir(limited.tmpDir)).filter((name) => name.startsWith('segue-upload-')).length;
      expect(await staged(), 'both uploads staged').to.equal(2);
      expect((await limited.http.delete(`/tracks/${waiting.body.id}`)).status).to.equal(204);
      expect(await staged(), 'the waiting upload is gone from disk').to.equal(1);
      await limited.crud.processor.whenSettled(running.body.id);
      expect(await staged()).to.equal(0);
    });

    it('answers 503 service_busy with Retry-After past MAX_CONCURRENT_UPLOADS, while reads go on', async () => {
      await listening({ MAX_CONCURRENT_UPLOADS: '1', MIN_UPLOAD_BYTES_PER_SECOND: '0' });
      const wav = await readFile((await fixture('oneSecondWav')).path);
      const slow = dripUpload(piecesOf(wav, 10), 150, wav.length);
      await new Promise((resolve) => setTimeout(resolve, 300));
      const second = await sendFile((await fixture('oneSecondWav')).path);
      expect(second.status).to.equal(503);
      expect(second.body.error.code).to.equal('service_busy');
      expect(second.retryAfter).to.equal('30');
      const listing = await limited.http.get('/tracks');
      expect(listing.status, 'a read is not held up by the uploads').to.equal(200);
      const first = await slow;
      expect(first.status, 'the upload under way is not disturbed').to.equal(202);
      await limited.crud.processor.whenSettled(first.body.id);
      const third = await sendFile((await distinctCopy('oneSecondWav')).path);
      expect(third.status, 'room again once the first is received').to.equal(202);
      await limited.crud.processor.whenSettled((third.body as unknown as { id: string }).id);
    });

    it('answers 503 service_busy when the uploads it holds would pass MAX_STAGED_BYTES, and keeps nothing of it', async () => {
      const long = await fixture('longWav');
      const bytes = (await stat(long.path)).size;
      await listening({ MAX_UPLOAD_BYTES: String(bytes + 100_000), MAX_STAGED_BYTES: String(Math.round(bytes * 1.5)) });
      const first = await limited.http.post('/tracks').attach('file', long.path, long.filename);
      expect(first.status).to.equal(202);
      const second = await sendFile(long.path);
      expect(second.status).to.equal(503);
      expect(second.body.error.code).to.equal('service_busy');
      await limited.crud.processor.whenSettled(first.body.id);
      expect(await limited.database.tracks.countDocuments()).to.equal(1);
      const other = await distinctCopy('longWav');
      const third = await limited.http.post('/tracks').attach('file', other.path, other.filename);
      expect(third.status, 'the first job gave its bytes back').to.equal(202);
      await limited.crud.processor.whenSettled(third.body.id);
    });
  });
});
