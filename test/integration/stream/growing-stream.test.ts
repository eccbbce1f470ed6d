import { execFile } from 'node:child_process';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { expect } from 'chai';
import type { Track } from '../../../functions/core/schemas/track.js';
import { type Fixture, fixture } from '../../support/fixtures.js';
import { type GatewayHarness, startGateway } from '../../support/gateway.js';
import { parseMaster, parseMedia } from '../../support/hls.js';
import { mediaTools } from '../../support/media.js';

const run = promisify(execFile);
const PCM = { rate: 48000, bytesPerSecond: 48000 * 2 };
const TOLERANCE_SEC = 0.05;
const PLAY_FROM_START = fileURLToPath(new URL('../../support/gst-play-from-start.py', import.meta.url));

describe('a track plays while it is processed', function () {
  this.timeout(180_000);
  let harness: GatewayHarness;
  let source: Fixture;
  let dir: string;
  let track: Track | undefined;

  before(async () => {
    harness = await startGateway();
    source = await fixture('eightMinuteMp3');
    dir = await mkdtemp(join(tmpdir(), 'segue-growing-'));
  });
  after(async () => {
    await harness.close();
    await rm(dir, { recursive: true, force: true });
  });
  afterEach(async () => {
    // the same bytes are uploaded by each test: each starts from a library without them
    if (track) expect((await harness.http.delete(`/function/crud/tracks/${track.id}`)).status).to.equal(204);
    track = undefined;
  });

  const current = async (id: string) => (await harness.http.get(`/function/crud/tracks/${id}`)).body as Track;
  const streamPath = (id: string, path: string) => `/function/stream/tracks/${id}/${path}`;

  /** Uploads the long file and resolves as soon as it can be played, checking that it is still processing then. */
  async function uploadUntilPlayable(): Promise<Track> {
    const accepted = await harness.http.post('/function/crud/tracks').attach('file', source.path, source.filename);
    expect(accepted.status, JSON.stringify(accepted.body)).to.equal(202);
    expect(accepted.body.playable).to.equal(false);
    track = accepted.body as Track;
    for (;;) {
      const seen = await current(accepted.body.id);
      if (seen.playable) {
        expect(seen.status, 'playable before it is ready').to.equal('processing');
        return seen;
      }
      expect(seen.status).to.equal('processing');
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }

  async function untilReady(id: string): Promise<Track> {
    for (;;) {
      const seen = await current(id);
      if (seen.status !== 'processing') return seen;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }

  it('serves growing EVENT playlists, never cached, that end as the VOD ones segment for segment', async () => {
    const playable = await uploadUntilPlayable();
    const masterResponse = await harness.http.get(streamPath(playable.id, 'master.m3u8'));
    expect(masterResponse.status).to.equal(200);
    expect(masterResponse.headers['cache-control']).to.equal('no-cache');
    const variants = parseMaster(masterResponse.text).variants;
    expect(variants.length, 'the rungs that have started').to.be.within(1, 3);
    for (const variant of variants) {
      expect(variant.averageBandwidth, 'unknown until the rung is complete').to.equal(undefined);
      expect(variant.bandwidth).to.be.above(0);
    }

    const uri = variants[0]!.uri;
    const first = await harness.http.get(streamPath(playable.id, uri));
    expect(first.headers['cache-control']).to.equal('no-cache');
    expect(first.headers.etag).to.be.a('string');
    expect(first.text).to.contain('#EXT-X-START:TIME-OFFSET=0');
    const growing = parseMedia(first.text);
    expect(growing).to.include({ playlistType: 'EVENT', endlist: false, mediaSequenceBase: 0 });
    expect(growing.segments.length).to.be.at.least(2);
    const rung = uri.split('/')[0]!;
    for (const file of ['init.mp4', growing.segments[0]!.uri, growing.segments.at(-1)!.uri]) {
      const segment = await harness.http.get(streamPath(playable.id, `${rung}/${file}`)).buffer(true);
      expect(segment.status, file).to.equal(200);
      expect(segment.headers['cache-control'], file).to.contain('immutable');
    }
    // its ETag answers 304 while nothing new is stored, and a full answer only once it has grown
    const latest = await harness.http.get(streamPath(playable.id, uri));
    const again = await harness.http.get(streamPath(playable.id, uri)).set('If-None-Match', latest.headers.etag!);
    if (again.status === 200) expect(again.text, 'a full answer only when it has grown').not.to.equal(latest.text);
    else expect(again.status).to.equal(304);

    const ready = await untilReady(playable.id);
    expect(ready.status).to.equal('ready');
    expect(ready.durationSec, 'measured by decoding the whole file').to.be.closeTo(source.durationSec, 0.05);
    expect(ready.peaks.length).to.be.above(100);
    const finished = await harness.http.get(streamPath(playable.id, uri));
    expect(finished.headers['cache-control']).to.equal('public, max-age=300');
    expect((await harness.http.get(streamPath(playable.id, uri)).set('If-None-Match', finished.headers.etag!)).status).to.equal(304);
    const complete = parseMedia(finished.text);
    expect(complete).to.include({ playlistType: 'VOD', endlist: true, targetDuration: growing.targetDuration });
    const listed = (playlist: typeof growing) => playlist.segments.map((segment) => [segment.uri, segment.duration]);
    expect(listed(complete).slice(0, growing.segments.length), 'what was listed stays listed, as it was').to.deep.equal(listed(growing));
    for (const variant of parseMaster((await harness.http.get(streamPath(playable.id, 'master.m3u8'))).text).variants) {
      expect(variant.averageBandwidth).to.be.above(0);
    }
  });

  it('plays in ffmpeg from its start to its end while it grows', async () => {
    const playable = await uploadUntilPlayable();
    const { stdout } = await run(
      mediaTools.ffmpeg,
      [
        ...['-v', 'error', '-nostdin', '-prefer_x_start', '1', '-i', `${harness.streamUrl}/tracks/${playable.id}/master.m3u8`],
        ...['-map', '0:a:0', '-ac', '1', '-ar', String(PCM.rate), '-f', 's16le', '-'],
      ],
      { encoding: 'buffer', maxBuffer: 256 * 1024 * 1024 },
    );
    expect((await current(playable.id)).status, 'ffmpeg stops only at the end of the finished track').to.equal('ready');
    expect(stdout.length / PCM.bytesPerSecond).to.be.closeTo(source.durationSec, TOLERANCE_SEC);
  });

  it('plays in GStreamer from its start to its end while it grows', async () => {
    const playable = await uploadUntilPlayable();
    const out = join(dir, 'gstreamer.raw');
    await run('/usr/bin/python3', [PLAY_FROM_START, `${harness.streamUrl}/tracks/${playable.id}/master.m3u8`, out]);
    expect((await current(playable.id)).status, 'GStreamer stops only at the end of the finished track').to.equal('ready');
    expect((await stat(out)).size / PCM.bytesPerSecond).to.be.closeTo(source.durationSec, TOLERANCE_SEC);
  });
});
