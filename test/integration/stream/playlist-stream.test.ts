import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import type { Track } from '../../../functions/core/schemas/track.js';
import { type GatewayHarness, startGateway } from '../../support/gateway.js';
import { parseMaster, parseMedia } from '../../support/hls.js';
import { processingTrack } from '../../support/track-documents.js';
import { gstreamerPlayedSec } from '../../support/hls-clients.js';

/** A player may play each track's priming and padding (an AAC frame or so at each end): 50 ms a track. */
const TOLERANCE_SEC = 0.05 * 3;

describe('a playlist as one HLS presentation, over HTTP', function () {
  this.timeout(180_000);
  let harness: GatewayHarness;
  let dir: string;
  let tracks: Track[];
  let playlistId: string;
  const master = () => `${harness.streamUrl}/playlists/${playlistId}/master.m3u8`;
  /** what supertest asks for: the path and its query (a variant's `?v=`) */
  const path = (url: string) => {
    const { pathname, search } = new URL(url);
    return pathname + search;
  };

  before(async () => {
    harness = await startGateway();
    dir = await mkdtemp(join(tmpdir(), 'segue-playlist-stream-'));
    // a full ladder at 44.1 kHz, a mono one, and 96 kHz: three encodings to go on from one into the next
    tracks = [await harness.ingest('taggedMp3'), await harness.ingest('monoMp3'), await harness.ingest('hiresFlac')];
    const created = await harness.http.post('/function/crud/playlists').send({ name: 'Three encodings', trackIds: tracks.map((track) => track.id) });
    expect(created.status).to.equal(201);
    playlistId = created.body.id;
  });
  after(async () => {
    await harness.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('lists a variant per rung any track has, each a VOD playlist whose every URI is a file the stream function serves', async () => {
    const answer = await harness.http.get(path(master()));
    expect([answer.status, answer.headers['content-type'], answer.headers['cache-control']]).to.deep.equal([200, 'application/vnd.apple.mpegurl', 'no-cache']);
    const { variants } = parseMaster(answer.text);
    const rungs = new Set(tracks.flatMap((track) => track.renditions.map((rendition) => rendition.id)));
    expect(variants.map((variant) => variant.uri.split('/')[0]).sort()).to.deep.equal([...rungs].sort());
    for (const variant of variants) {
      const mediaUrl = new URL(variant.uri, master()).href;
      const media = parseMedia((await harness.http.get(path(mediaUrl))).text);
      expect(media).to.include({ playlistType: 'VOD', endlist: true });
      expect(media.segments.filter((segment) => segment.discontinuity).length).to.equal(tracks.length - 1);
      const files = new Set(media.segments.flatMap((segment) => [segment.uri, segment.map!.uri]));
      for (const file of files) {
        const served = await harness.http.head(path(new URL(file, mediaUrl).href));
        expect([served.status, served.headers['content-type']], file).to.deep.equal([200, 'audio/mp4']);
      }
      const seconds = media.segments.reduce((sum, segment) => sum + segment.duration, 0);
      const rendered = tracks.reduce((sum, track) => sum + track.durationSec, 0);
      expect(seconds).to.be.closeTo(rendered, TOLERANCE_SEC);
    }
  });

  // ffmpeg is not among the players: its HLS demuxer skips a second init segment ("Found duplicated MOOV
  // Atom") and drops what goes back in time after a discontinuity, so it plays the first track and part of the next
  it('plays to end-of-stream in GStreamer playbin3, through every change of encoding', async () => {
    const { seconds, output } = await gstreamerPlayedSec(master(), dir);
    expect(output).to.contain('Got EOS');
    expect(output).not.to.match(/ERROR/);
    expect(seconds).to.be.closeTo(tracks.reduce((sum, track) => sum + track.durationSec, 0), TOLERANCE_SEC);
  });

  it('follows the playlist as it changes: a new ETag and version once edited, 304 while not, 409 for a media playlist of the old version', async () => {
    const first = await harness.http.get(path(master()));
    const again = await harness.http.get(path(master())).set('If-None-Match', first.headers.etag!);
    expect(again.status).to.equal(304);
    try {
      const edited = await harness.http.patch(`/function/crud/playlists/${playlistId}`).send({ trackIds: [tracks[0]!.id] });
      expect(edited.status).to.equal(200);
      const after = await harness.http.get(path(master())).set('If-None-Match', first.headers.etag!);
      expect(after.status).to.equal(200);
      const media = parseMedia((await harness.http.get(path(new URL(parseMaster(after.text).variants[0]!.uri, master()).href))).text);
      expect(media.segments.every((segment) => segment.uri.includes(`/tracks/${tracks[0]!.id}/`))).to.equal(true);
      // a media playlist of the version read before the edit is no longer that version: never other tracks at the same times
      const stale = await harness.http.get(path(new URL(parseMaster(first.text).variants[0]!.uri, master()).href));
      expect([stale.status, stale.body.error?.code]).to.deep.equal([409, 'playlist_changed']);
    } finally {
      await harness.http.patch(`/function/crud/playlists/${playlistId}`).send({ trackIds: tracks.map((track) => track.id) });
    }
  });

  it('leaves out a track still processing, and answers 409 while none is ready; 404 for a playlist or rung it does not have', async () => {
    const processing = processingTrack('PROCESSING01', { owner: 'elsewhere', until: new Date(Date.now() + 60_000), attempts: 1 });
    await harness.database.tracks.insertOne(processing);
    const created = await harness.http.post('/function/crud/playlists').send({ name: 'Not yet', trackIds: [processing._id] });
    expect(created.status).to.equal(201);
    const waiting = await harness.http.get(`/function/stream/playlists/${created.body.id}/master.m3u8`);
    expect([waiting.status, waiting.body.error.code]).to.deep.equal([409, 'track_not_ready']);

    await harness.http.post(`/function/crud/playlists/${created.body.id}/tracks`).send({ trackIds: [tracks[1]!.id] });
    const { variants } = parseMaster((await harness.http.get(`/function/stream/playlists/${created.body.id}/master.m3u8`)).text);
    const media = parseMedia((await harness.http.get(`/function/stream/playlists/${created.body.id}/${variants[0]!.uri}`)).text);
    expect(media.segments.every((segment) => segment.uri.includes(`/tracks/${tracks[1]!.id}/`))).to.equal(true);

    const unknown = await harness.http.get('/function/stream/playlists/AAAAAAAAAAAA/master.m3u8');
    expect([unknown.status, unknown.body.error.code]).to.deep.equal([404, 'not_found']);
    const malformed = await harness.http.get('/function/stream/playlists/not-an-id/master.m3u8');
    expect([malformed.status, malformed.body.error.code]).to.deep.equal([400, 'validation_failed']);
    const rung = await harness.http.get(`/function/stream/playlists/${playlistId}/a512/index.m3u8`);
    expect([rung.status, rung.body.error.code]).to.deep.equal([404, 'not_found']);
  });
});
