import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Readable } from 'node:stream';
import { type Track, type TrackCreateParams, type UploadedTrack, type UploadProgress, NotFoundError, ResponseValidationError, Segue } from '@segue/api-client';
import { expect } from 'chai';
import { DUPLICATE_HEADER } from '../../../functions/core/endpoints.js';
import { type GatewayHarness, startGateway } from '../../support/gateway.js';
import { distinctCopy, fixture } from '../../support/fixtures.js';

function expectProgressToEndAtTotal(events: UploadProgress[], size: number) {
  expect(events.length, 'progress events').to.be.greaterThan(1);
  expect(events[0]).to.deep.equal({ loaded: 0, total: size });
  expect(events.at(-1)).to.deep.equal({ loaded: size, total: size });
  for (let index = 1; index < events.length; index++) {
    expect(events[index]!.loaded, `event ${index} moves forward`).to.be.greaterThan(events[index - 1]!.loaded);
  }
}

describe('the SDK: the life of a track', function () {
  this.timeout(120_000);
  let harness: GatewayHarness;
  let segue: Segue;

  before(async () => {
    harness = await startGateway();
    segue = new Segue({ baseUrl: harness.origin });
  });
  after(() => harness.close());

  it('uploads a file by path with progress, waits for ready, reads, changes, lists, plays and deletes it', async () => {
    const file = await fixture('taggedMp3');
    const size = (await readFile(file.path)).length;
    const progress: UploadProgress[] = [];
    const processing: Track[] = [];
    // bounded, so a stuck upload or a stuck job fails with its own TimeoutError rather than mocha's
    const track = await segue.tracks.create({
      file: file.path,
      wait: true,
      timeout: 30_000,
      waitTimeout: 60_000,
      onProgress: (event) => progress.push(event),
      onProcessing: (seen) => processing.push(seen),
    });
    expect(track.status).to.equal('ready');
    expect(track.durationSec).to.be.closeTo(file.durationSec, 0.1);
    expect(track.source.filename).to.equal(file.filename);
    expect(track.hasCover).to.equal(true);
    expectProgressToEndAtTotal(progress, size);
    for (const seen of processing) expect(seen.status).to.equal('processing');

    expect(await segue.tracks.retrieve(track.id)).to.deep.include({ id: track.id, title: track.title });
    const renamed = await segue.tracks.update(track.id, { title: 'Renamed', genre: null });
    expect(renamed).to.deep.include({ title: 'Renamed', genre: null });

    const listed = await segue.tracks.list().toArray();
    expect(listed.map((each) => each.id)).to.include(track.id);

    const master = await fetch(segue.tracks.masterPlaylistUrl(track.id));
    expect(master.status).to.equal(200);
    expect(await master.text()).to.match(/^#EXTM3U/);
    const original = await fetch(segue.tracks.originalUrl(track.id));
    expect(Buffer.from(await original.arrayBuffer()).equals(await readFile(file.path))).to.equal(true);
    const cover = await fetch(segue.tracks.coverUrl(track.id));
    expect(cover.headers.get('content-type')).to.match(/^image\//);

    await segue.tracks.delete(track.id);
    let error: unknown;
    try {
      await segue.tracks.retrieve(track.id);
    } catch (caught) {
      error = caught;
    }
    expect(error).to.be.instanceOf(NotFoundError);
    expect((await fetch(segue.tracks.masterPlaylistUrl(track.id))).status).to.equal(404);
  });

  it('builds an img srcset of the cover sizes, each URL a WebP of its width, and the original cover without a width', async () => {
    const file = await fixture('largeCoverMp3');
    const track = await segue.tracks.create({ file: file.path, wait: true });
    expect(track.coverSizes).to.deep.equal([128, 256, 512]);
    const srcset = segue.tracks.coverSrcset(track);
    const candidates = srcset.split(', ').map((candidate) => candidate.split(' '));
    expect(candidates.map(([, descriptor]) => descriptor)).to.deep.equal(['128w', '256w', '512w']);
    for (const [url, descriptor] of candidates) {
      expect(url).to.equal(segue.tracks.coverUrl(track.id, Number.parseInt(descriptor!, 10)));
      const response = await fetch(url!);
      expect(response.status, url).to.equal(200);
      expect(response.headers.get('content-type')).to.equal('image/webp');
    }
    expect((await fetch(segue.tracks.coverUrl(track.id))).headers.get('content-type')).to.equal('image/jpeg');
    expect(segue.tracks.coverSrcset({ id: track.id, coverSizes: [] }), 'a track without sizes').to.equal('');
  });

  it('resolves 202-style without wait: the track comes back processing, and waitUntilReady finishes the story', async () => {
    const file = await fixture('oneSecondWav');
    const accepted = await segue.tracks.create({ file: file.path, title: 'Later' });
    expect(accepted.status).to.equal('processing');
    const ready = await segue.tracks.waitUntilReady(accepted.id, { timeout: 60_000 });
    expect(ready).to.deep.include({ id: accepted.id, status: 'ready', title: 'Later' });
  });

  describe('takes every kind of input, streamed', () => {
    const inputs: Record<string, (path: string) => Promise<unknown>> = {
      'a Buffer': (path) => readFile(path),
      'an ArrayBuffer': async (path) => {
        const bytes = await readFile(path);
        return bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength);
      },
      'a Blob': async (path) => new Blob([await readFile(path)], { type: 'audio/wav' }),
      'a File, named by itself': async (path) => new File([await readFile(path)], 'from-a-file.wav'),
      'a Node Readable': async (path) => createReadStream(path),
      'a web ReadableStream': async (path) => Readable.toWeb(createReadStream(path)),
    };
    for (const [kind, open] of Object.entries(inputs)) {
      it(`uploads ${kind}`, async () => {
        const file = await distinctCopy('oneSecondWav');
        const bytes = await readFile(file.path);
        const progress: UploadProgress[] = [];
        const input = (await open(file.path)) as TrackCreateParams['file'];
        const named = kind.includes('File') ? {} : { filename: 'input.wav' };
        const track = await segue.tracks.create({
          file: input,
          ...named,
          sha256: createHash('sha256').update(bytes).digest('hex'),
          onProgress: (event) => progress.push(event),
        });
        expect(track.source.bytes).to.equal(bytes.length);
        expect(track.source.filename).to.equal(kind.includes('File') ? 'from-a-file.wav' : 'input.wav');
        const streamed = kind.includes('Readable');
        expect(progress.at(-1)).to.deep.equal({ loaded: bytes.length, total: streamed ? null : bytes.length });
        await segue.tracks.waitUntilReady(track.id);
      });
    }
  });

  describe('a file the library already holds', () => {
    it('resolves with that track, marked `duplicate: true`, with or without wait; a new one is `duplicate: false`', async () => {
      const file = await distinctCopy('oneSecondWav');
      const first: UploadedTrack = await segue.tracks.create({ file: file.path, wait: true });
      expect(first).to.deep.include({ status: 'ready', duplicate: false });

      const again: UploadedTrack = await segue.tracks.create({ file: await readFile(file.path), title: 'Ignored', filename: 'again.wav' });
      expect(again).to.deep.equal({ ...first, duplicate: true });
      const waited = await segue.tracks.create({ file: file.path, wait: true });
      expect(waited).to.deep.include({ id: first.id, status: 'ready', duplicate: true });
      expect(await harness.database.tracks.countDocuments({ 'source.sha256': first.source.sha256 })).to.equal(1);
    });

    it('throws ResponseValidationError when the answer marks it a duplicate of another track than the one it answers', async () => {
      const file = await distinctCopy('oneSecondWav');
      const track = await segue.tracks.create({ file: file.path, wait: true });
      const impostor = createServer((req, res) => {
        req.resume();
        req.on('end', () => {
          res.setHeader('content-type', 'application/json');
          res.setHeader(DUPLICATE_HEADER, 'BBBBBBBBBBBB');
          const { duplicate: _, ...body } = track;
          res.end(JSON.stringify(body));
        });
      });
      await new Promise<void>((resolve) => impostor.listen(0, '127.0.0.1', resolve));
      try {
        const misled = new Segue({ baseUrl: `http://127.0.0.1:${(impostor.address() as AddressInfo).port}` });
        const error = await misled.tracks.create({ file: file.path }).catch((caught: unknown) => caught);
        expect(error).to.be.instanceOf(ResponseValidationError);
        expect((error as Error).message).to.contain('BBBBBBBBBBBB');
      } finally {
        impostor.close();
      }
    });
  });
});
