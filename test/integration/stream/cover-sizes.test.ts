import { expect } from 'chai';
import type { Track } from '../../../functions/core/schemas/track.js';
import { asBuffer } from '../../support/binary-body.js';
import { cutDeletionShort } from '../../support/crud.js';
import { type GatewayHarness, startGateway } from '../../support/gateway.js';
import { probeImage } from '../../support/media.js';

describe('cover sizes', function () {
  this.timeout(120_000);
  let harness: GatewayHarness;
  let covered: Track;
  const coverSize = (track: Track, width: number | string) => `/function/stream/tracks/${track.id}/cover/${width}.webp`;

  before(async () => {
    harness = await startGateway();
    covered = await harness.ingest('largeCoverMp3');
  });
  after(() => harness.close());

  it('lists the sizes made at upload on the track', async () => {
    expect(covered).to.include({ hasCover: true });
    expect(covered.coverSizes).to.deep.equal([128, 256, 512]);
    const listed = await harness.http.get('/function/crud/tracks');
    expect(listed.body.data[0]).to.deep.include({ id: covered.id, coverSizes: [128, 256, 512] });
  });

  it('serves each size as WebP of that width, cacheable, that runs nothing opened as a page', async () => {
    for (const width of covered.coverSizes) {
      const response = await asBuffer(harness.http.get(coverSize(covered, width)));
      expect(response.status, String(width)).to.equal(200);
      expect(response.headers).to.include({
        'content-type': 'image/webp',
        'cache-control': 'public, max-age=86400',
        'x-content-type-options': 'nosniff',
        'content-security-policy': "sandbox; default-src 'none'",
      });
      expect(await probeImage(response.body as Buffer)).to.deep.equal({ codec_name: 'webp', width, height: width });
      const again = await harness.http.get(coverSize(covered, width)).set('If-None-Match', response.headers.etag!);
      expect(again.status).to.equal(304);
    }
  });

  it('answers HEAD with the size of what GET sends', async () => {
    const full = await asBuffer(harness.http.get(coverSize(covered, 128)));
    const head = await harness.http.head(coverSize(covered, 128));
    expect(head.status).to.equal(200);
    expect(Number(head.headers['content-length'])).to.equal((full.body as Buffer).length);
  });

  it('still serves the original cover as it came', async () => {
    const response = await harness.http.get(`/function/stream/tracks/${covered.id}/cover`);
    expect(response.status).to.equal(200);
    expect(response.headers['content-type']).to.equal('image/jpeg');
  });

  it('answers 404 not_found for a size that was not made, or is not a width', async () => {
    for (const width of ['1024', '64', '0128', 'abc', '']) {
      const response = await harness.http.get(coverSize(covered, width));
      expect(response.status, width).to.equal(404);
      expect(response.body.error.code, width).to.equal('not_found');
    }
    const plain = await harness.ingest('oneSecondWav');
    expect(plain).to.deep.include({ hasCover: false, coverSizes: [] });
    expect((await harness.http.get(coverSize(plain, 128))).status).to.equal(404);
  });

  it('never enlarges a small cover: a 64 px one is served at 64 only', async () => {
    const small = await harness.ingest('taggedMp3');
    expect(small.coverSizes).to.deep.equal([64]);
    const response = await asBuffer(harness.http.get(coverSize(small, 64)));
    expect(await probeImage(response.body as Buffer)).to.deep.include({ width: 64, height: 64 });
    expect((await harness.http.get(coverSize(small, 128))).status).to.equal(404);
  });

  it('shows a track kept before sizes were made with none, its cover still served', async () => {
    const old = await harness.ingest('largeCoverMp3');
    await harness.database.tracks.updateOne({ _id: old.id }, { $unset: { coverSizes: '' } });
    await harness.database.covers.updateOne({ _id: old.id }, { $unset: { sizes: '' } });
    const response = await harness.http.get(`/function/crud/tracks/${old.id}`);
    expect(response.body).to.deep.include({ hasCover: true, coverSizes: [] });
    expect((await harness.http.get(`/function/stream/tracks/${old.id}/cover`)).status).to.equal(200);
  });

  it('removes the sizes with the track', async () => {
    const doomed = await harness.ingest('largeCoverMp3');
    expect((await harness.http.get(coverSize(doomed, 256))).status).to.equal(200);
    expect((await harness.http.delete(`/function/crud/tracks/${doomed.id}`)).status).to.equal(204);
    expect(await harness.database.covers.countDocuments({ _id: doomed.id })).to.equal(0);
    expect((await harness.http.get(coverSize(doomed, 256))).status).to.equal(404);
  });

  it('removes the sizes when the sweeper finishes a deletion cut short', async () => {
    const doomed = await harness.ingest('largeCoverMp3');
    await cutDeletionShort(harness, doomed);
    expect((await harness.http.post('/function/crud/sweep')).body).to.include({ cleanedUp: 1 });
    expect(await harness.database.covers.countDocuments({ _id: doomed.id })).to.equal(0);
    expect((await harness.http.get(coverSize(doomed, 256))).status).to.equal(404);
  });
});
