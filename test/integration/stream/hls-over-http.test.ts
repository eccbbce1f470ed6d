import { readFile } from 'node:fs/promises';
import { setTimeout as sleep } from 'node:timers/promises';
import { expect } from 'chai';
import supertest from 'supertest';
import { createApp as createStreamApp } from '../../../functions/stream/app.js';
import { createLogger } from '../../../functions/shared/logger.js';
import { segmentId } from '../../../functions/shared/storage/segment-store.js';
import type { Track } from '../../../functions/core/schemas/track.js';
import { asBuffer } from '../../support/binary-body.js';
import { fixture } from '../../support/fixtures.js';
import { type GatewayHarness, startGateway } from '../../support/gateway.js';
import { parseMaster, parseMedia } from '../../support/hls.js';

const PLAYLIST = 'application/vnd.apple.mpegurl';
const IMMUTABLE = 'public, max-age=31536000, immutable';

/** the body of a response read with `asBuffer` */
const binary = (response: supertest.Response) => response.body as Buffer;

describe('the stream function over HTTP', function () {
  this.timeout(120_000);
  let harness: GatewayHarness;
  let track: Track;
  const stream = (path: string) => `/function/stream/tracks/${track.id}${path}`;

  before(async () => {
    harness = await startGateway();
    track = await harness.ingest('taggedMp3');
  });
  after(() => harness.close());

  it('answers its health check once the database answers, uncached', async () => {
    const response = await harness.http.get('/function/stream/healthz');
    expect(response.status).to.equal(200);
    expect(response.body).to.deep.equal({ status: 'ok' });
    expect(response.headers['cache-control']).to.equal('no-store');
  });

  describe('playlists', () => {
    it('serves a multivariant playlist that a strict parser accepts, with measured bandwidths', async () => {
      const response = await harness.http.get(stream('/master.m3u8'));
      expect(response.status).to.equal(200);
      expect(response.headers['content-type']).to.equal(PLAYLIST);
      const master = parseMaster(response.text);
      expect(master.variants).to.have.length(3);
      for (const rendition of track.renditions) {
        const variant = master.variants.find((candidate) => candidate.uri === `${rendition.id}/index.m3u8`);
        expect(variant, rendition.id).to.include({
          bandwidth: rendition.peakBandwidth,
          averageBandwidth: rendition.averageBandwidth,
          codecs: 'mp4a.40.2',
        });
      }
    });

    it('serves media playlists whose relative URIs all resolve to the stored segments', async () => {
      const master = parseMaster((await harness.http.get(stream('/master.m3u8'))).text);
      for (const variant of master.variants) {
        const playlistUrl = new URL(variant.uri, `${harness.origin}${stream('/master.m3u8')}`);
        const response = await harness.http.get(playlistUrl.pathname);
        expect(response.status).to.equal(200);
        expect(response.headers['content-type']).to.equal(PLAYLIST);
        const media = parseMedia(response.text);
        expect(media).to.include({ playlistType: 'VOD', endlist: true, targetDuration: 6 });
        const total = media.segments.reduce((sum, segment) => sum + segment.duration, 0);
        expect(total).to.be.closeTo(track.durationSec, 0.1);

        const rendition = playlistUrl.pathname.split('/').at(-2)!;
        const uris = [media.segments[0]!.map!.uri, ...media.segments.map((segment) => segment.uri)];
        for (const uri of uris) {
          const segmentUrl = new URL(uri, playlistUrl);
          const segment = await asBuffer(harness.http.get(segmentUrl.pathname));
          expect(segment.status, segmentUrl.pathname).to.equal(200);
          expect(segment.headers['content-type']).to.equal('audio/mp4');
          const stored = await harness.database.segments.findOne({ _id: segmentId(track.id, rendition as never, uri) });
          expect(binary(segment).equals(Buffer.from(stored!.data.buffer))).to.equal(true);
        }
      }
    });

    it('compresses playlists for clients that accept gzip, and never the audio', async () => {
      const playlist = await harness.http.get(stream('/a128/index.m3u8')).set('Accept-Encoding', 'gzip');
      expect(playlist.headers['content-encoding']).to.equal('gzip');
      expect(playlist.headers.vary).to.contain('Accept-Encoding');
      expect(parseMedia(playlist.text).segments.length).to.be.above(1);
      const segment = await harness.http.get(stream('/a128/000000.m4s')).set('Accept-Encoding', 'gzip');
      expect(segment.headers['content-encoding']).to.equal(undefined);
    });

    it('answers 304 to a playlist request whose ETag still matches', async () => {
      const first = await harness.http.get(stream('/master.m3u8'));
      const again = await harness.http.get(stream('/master.m3u8')).set('If-None-Match', first.headers.etag!);
      expect(again.status).to.equal(304);
    });
  });

  describe('segments', () => {
    it('are immutable and cacheable for a year, with a strong ETag and 304 on a match', async () => {
      const first = await harness.http.get(stream('/a64/000001.m4s'));
      expect(first.headers['cache-control']).to.equal(IMMUTABLE);
      expect(first.headers.etag).to.match(/^"[\w-]+"$/);
      expect(first.headers['accept-ranges']).to.equal('bytes');
      const again = await harness.http.get(stream('/a64/000001.m4s')).set('If-None-Match', first.headers.etag!);
      expect(again.status).to.equal(304);
      expect(again.headers.etag).to.equal(first.headers.etag);
    });

    it('answers a Range with 206 and exactly those bytes', async () => {
      const whole = binary(await asBuffer(harness.http.get(stream('/a128/000000.m4s'))));
      for (const [range, start, end] of [
        ['bytes=0-99', 0, 99],
        ['bytes=100-', 100, whole.length - 1],
        ['bytes=-64', whole.length - 64, whole.length - 1],
      ] as const) {
        const part = await asBuffer(harness.http.get(stream('/a128/000000.m4s')).set('Range', range));
        expect(part.status, range).to.equal(206);
        expect(part.headers['content-range']).to.equal(`bytes ${start}-${end}/${whole.length}`);
        expect(binary(part).equals(whole.subarray(start, end + 1)), range).to.equal(true);
      }
    });

    it('answers 416 with the size for a range past the end, and ignores a range for another version', async () => {
      const whole = await harness.http.get(stream('/a128/init.mp4'));
      const size = Number(whole.headers['content-length']);
      const outside = await harness.http.get(stream('/a128/init.mp4')).set('Range', `bytes=${size + 10}-`);
      expect(outside.status).to.equal(416);
      expect(outside.headers['content-range']).to.equal(`bytes */${size}`);
      expect(outside.body.error.code).to.equal('range_not_satisfiable');
      expect(outside.headers['cache-control']).to.equal('no-store');
      const stale = await harness.http.get(stream('/a128/init.mp4')).set('Range', 'bytes=0-9').set('If-Range', '"another-version"');
      expect(stale.status).to.equal(200);
      expect(Number(stale.headers['content-length'])).to.equal(size);
    });

    it('answers HEAD with the headers of GET and no body', async () => {
      const get = await harness.http.get(stream('/a256/000002.m4s'));
      const head = await harness.http.head(stream('/a256/000002.m4s'));
      expect(head.status).to.equal(200);
      expect(head.headers['content-length']).to.equal(get.headers['content-length']);
      expect(head.headers.etag).to.equal(get.headers.etag);
      expect(head.text ?? '').to.equal('');
      const headPlaylist = await harness.http.head(stream('/master.m3u8'));
      expect(headPlaylist.status).to.equal(200);
      expect(headPlaylist.headers['content-type']).to.equal(PLAYLIST);
    });

    it('serves a popular segment from memory, without asking the database', async () => {
      const id = segmentId(track.id, 'a256', '000001.m4s');
      const firstResponse = await asBuffer(harness.http.get(stream('/a256/000001.m4s')));
      expect(firstResponse.status).to.equal(200);
      const first = binary(firstResponse);
      const stored = await harness.database.segments.findOne({ _id: id });
      await harness.database.segments.deleteOne({ _id: id });
      try {
        const cached = await asBuffer(harness.http.get(stream('/a256/000001.m4s')));
        expect(cached.status).to.equal(200);
        expect(binary(cached).equals(first)).to.equal(true);
      } finally {
        await harness.database.segments.insertOne(stored!);
      }
    });
  });

  describe('CORS', () => {
    it('answers a preflight for a ranged GET from any origin by default', async () => {
      const preflight = await harness.http
        .options(stream('/a128/000000.m4s'))
        .set('Origin', 'https://player.example')
        .set('Access-Control-Request-Method', 'GET')
        .set('Access-Control-Request-Headers', 'range');
      expect(preflight.status).to.equal(204);
      expect(preflight.headers['access-control-allow-origin']).to.equal('*');
      expect(preflight.headers['access-control-allow-headers']!.toLowerCase()).to.contain('range');
    });

    it('allows only the configured origins when CORS_ORIGINS is set', async () => {
      const strict = createStreamApp({
        config: { ...harness.config, corsOrigins: ['https://player.example'] },
        database: harness.database,
        logger: createLogger('silent', 'strict'),
      });
      const path = `/tracks/${track.id}/master.m3u8`;
      const allowed = await supertest(strict.app).get(path).set('Origin', 'https://player.example');
      expect(allowed.headers['access-control-allow-origin']).to.equal('https://player.example');
      const refused = await supertest(strict.app).get(path).set('Origin', 'https://elsewhere.example');
      expect(refused.headers['access-control-allow-origin']).to.equal(undefined);
    });

    it('exposes the headers a player reads on the actual response', async () => {
      const response = await harness.http.get(stream('/a128/000000.m4s')).set('Origin', 'https://player.example');
      expect(response.headers['access-control-allow-origin']).to.equal('*');
      expect(response.headers['access-control-expose-headers']).to.contain('Content-Range');
    });
  });

  describe('the original and the cover', () => {
    it('serves the original as uploaded, named for download, with ranges', async () => {
      const file = await fixture('taggedMp3');
      const original = await asBuffer(harness.http.get(stream('/original')));
      expect(original.status).to.equal(200);
      expect(original.headers['content-type']).to.equal('audio/mpeg');
      expect(original.headers['content-disposition']).to.equal('attachment; filename="tagged.mp3"');
      expect(original.headers.etag).to.equal(`"sha256-${track.source.sha256}"`);
      expect(binary(original).equals(await readFile(file.path))).to.equal(true);
      const part = await asBuffer(harness.http.get(stream('/original')).set('Range', 'bytes=1000-1999'));
      expect(part.status).to.equal(206);
      expect(binary(part).equals((await readFile(file.path)).subarray(1000, 2000))).to.equal(true);
      const head = await harness.http.head(stream('/original'));
      expect(Number(head.headers['content-length'])).to.equal(track.source.bytes);
    });

    it('names a non-ASCII original with RFC 6266 filename*', async () => {
      const accented = await harness.ingest('oneSecondWav', 'Café del Mar.wav');
      const response = await harness.http.head(`/function/stream/tracks/${accented.id}/original`);
      expect(response.headers['content-disposition']).to.equal(
        `attachment; filename="Cafe del Mar.wav"; filename*=UTF-8''Caf%C3%A9%20del%20Mar.wav`,
      );
    });

    it('serves the cover art from the tags, and 404 for a track without one', async () => {
      const cover = await asBuffer(harness.http.get(stream('/cover')));
      expect(cover.status).to.equal(200);
      expect(cover.headers['content-type']).to.equal('image/png');
      expect(binary(cover).equals(await readFile((await fixture('cover')).path))).to.equal(true);
      const plain = await harness.ingest('oneSecondWav');
      const missing = await harness.http.get(`/function/stream/tracks/${plain.id}/cover`);
      expect(missing.status).to.equal(404);
      expect(missing.body.error.code).to.equal('not_found');
    });

    it('serves covers and originals so that, opened as a page, they run nothing', async () => {
      for (const path of ['/cover', '/original']) {
        const response = await harness.http.head(stream(path));
        expect(response.headers['content-security-policy'], path).to.equal("sandbox; default-src 'none'");
        expect(response.headers['x-content-type-options'], path).to.equal('nosniff');
      }
    });

    it('forbids content sniffing on every answer, errors included', async () => {
      const rendition = track.renditions[0]!.id;
      for (const path of ['/master.m3u8', `/${rendition}/index.m3u8`, `/${rendition}/init.mp4`, `/${rendition}/000000.m4s`, '/nothing-here']) {
        const response = await harness.http.get(stream(path));
        expect(response.headers['x-content-type-options'], path).to.equal('nosniff');
      }
    });
  });

  describe('what is not there', () => {
    it('answers a JSON 404 for an unknown track, rendition or segment', async () => {
      const mono = await harness.ingest('monoMp3');
      for (const path of [
        '/function/stream/tracks/AAAAAAAAAAAA/master.m3u8',
        stream('/a999/index.m3u8'),
        `/function/stream/tracks/${mono.id}/a256/index.m3u8`,
        stream('/a128/009999.m4s'),
        stream('/a128/000000.ts'),
        stream('/a128/../../original'),
        '/function/stream/tracks/AAAAAAAAAAAA/original',
      ]) {
        const response = await harness.http.get(path);
        expect(response.status, path).to.equal(404);
        expect(response.body.error.code, path).to.equal('not_found');
      }
    });

    it('answers 405 with Allow for anything but reading', async () => {
      const response = await harness.http.post(stream('/master.m3u8')).send('x');
      expect(response.status).to.equal(405);
      expect(response.headers.allow).to.equal('GET, HEAD, OPTIONS');
      expect(response.body.error.code).to.equal('method_not_allowed');
    });

    it('answers 400 for a malformed track id', async () => {
      const response = await harness.http.get('/function/stream/tracks/nope/master.m3u8');
      expect(response.status).to.equal(400);
      expect(response.body.error.details.fields).to.have.property('id');
    });

    it('answers 409 track_not_ready with Retry-After for a track still processing, never a half playlist', async () => {
      const file = await fixture('longWav');
      const created = await harness.http.post('/function/crud/tracks').attach('file', file.path, file.filename);
      expect(created.status).to.equal(202);
      for (const path of ['/master.m3u8', '/a128/index.m3u8', '/a128/init.mp4']) {
        const response = await harness.http.get(`/function/stream/tracks/${created.body.id}${path}`);
        expect(response.status, path).to.equal(409);
        expect(response.body.error.code).to.equal('track_not_ready');
        expect(response.headers['retry-after']).to.equal('2');
      }
      await harness.http.delete(`/function/crud/tracks/${created.body.id}`);
    });

    it('answers 409 track_failed for a track whose processing failed', async () => {
      const failed = await harness.ingest('oneSecondWav');
      await harness.database.tracks.updateOne(
        { _id: failed.id },
        { $set: { status: 'failed', error: { code: 'transcode_failed', message: 'The audio could not be transcoded' } } },
      );
      harness.gateway.stream.trackCache.forget(failed.id);
      const response = await harness.http.get(`/function/stream/tracks/${failed.id}/master.m3u8`);
      expect(response.status).to.equal(409);
      expect(response.body.error.code).to.equal('track_failed');
      expect(response.body.error.details.error.code).to.equal('transcode_failed');
    });

    it('answers 404 for the segments of a deleted track at once, cached or not', async () => {
      const doomed = await harness.ingest('oneSecondWav');
      const path = `/function/stream/tracks/${doomed.id}/a64/000000.m4s`;
      expect((await harness.http.get(path)).status).to.equal(200);
      expect((await harness.http.delete(`/function/crud/tracks/${doomed.id}`)).status).to.equal(204);
      expect((await harness.http.get(path)).status).to.equal(404);
      expect((await harness.http.get(`/function/stream/tracks/${doomed.id}/master.m3u8`)).status).to.equal(404);
    });

    it('answers 404 on another replica once its short track cache has expired', async () => {
      const doomed = await harness.ingest('oneSecondWav');
      const replica = createStreamApp({
        config: { ...harness.config, trackCacheMs: 200 },
        database: harness.database,
        logger: createLogger('silent', 'replica'),
      });
      const path = `/tracks/${doomed.id}/a64/000000.m4s`;
      expect((await supertest(replica.app).get(path)).status).to.equal(200);
      expect((await harness.http.delete(`/function/crud/tracks/${doomed.id}`)).status).to.equal(204);
      await sleep(250);
      expect((await supertest(replica.app).get(path)).status).to.equal(404);
      expect(replica.byteCache.bytes, 'the replica let go of the deleted track').to.equal(0);
    });
  });

  describe('lastAccessedAt', () => {
    it('is written on the first play and not again within minutes', async () => {
      const played = await harness.ingest('oneSecondWav');
      expect(played.lastAccessedAt).to.equal(null);
      await harness.http.get(`/function/stream/tracks/${played.id}/master.m3u8`);
      await sleep(200);
      const first = (await harness.database.tracks.findOne({ _id: played.id }))!.lastAccessedAt;
      expect(first).to.be.instanceOf(Date);
      await harness.http.get(`/function/stream/tracks/${played.id}/a64/index.m3u8`);
      await sleep(200);
      expect((await harness.database.tracks.findOne({ _id: played.id }))!.lastAccessedAt).to.deep.equal(first);
    });
  });
});
