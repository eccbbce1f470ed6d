import { createRequire } from 'node:module';
import { statSync } from 'node:fs';
import { expect } from 'chai';
import type { RenditionId, Tags, Track } from '../../../functions/core/schemas/track.js';
import { type CrudHarness, startCrud, storedCounts } from '../../support/crud.js';
import { type FixtureName, fixture } from '../../support/fixtures.js';
import { decodedDurationSec, probeStream, sha256Of, withStoredRendition } from '../../support/media.js';

interface FormatCase {
  fixture: FixtureName;
  describes: string;
  tags: Partial<Tags>;
  rungs: RenditionId[];
  channels: number;
  sampleRate: number;
  hasCover?: boolean;
}

const cases: FormatCase[] = [
  {
    fixture: 'taggedMp3',
    describes: 'a 320 kbit/s MP3 with ID3v2 tags and a cover',
    tags: { title: 'Night Drive', artist: 'The Fixtures', album: 'Test Pressings', year: 2021, genre: 'Synthwave', trackNumber: 3 },
    rungs: ['a64', 'a128', 'a256'],
    channels: 2,
    sampleRate: 44100,
    hasCover: true,
  },
  {
    fixture: 'hiresFlac',
    describes: 'a 24-bit FLAC with Vorbis comments',
    tags: { title: 'Lossless Study', artist: 'Bit Depth', album: 'Twenty-Four', year: 2019, genre: 'Ambient', trackNumber: 7 },
    rungs: ['a64', 'a128', 'a256'],
    channels: 2,
    sampleRate: 48000,
  },
  {
    fixture: 'plainWav',
    describes: 'an untagged WAV, titled after its file name',
    tags: { title: 'field recording', artist: null, album: null },
    rungs: ['a64', 'a128', 'a256'],
    channels: 2,
    sampleRate: 44100,
  },
  {
    fixture: 'opus',
    describes: 'an Ogg Opus file at 96 kbit/s (74 on this sparse sound), worth the rungs its bits are in AAC',
    tags: { title: 'Open Codec', artist: 'Xiph Friends' },
    rungs: ['a64', 'a128'],
    channels: 2,
    sampleRate: 48000,
  },
  {
    fixture: 'm4a',
    describes: 'an AAC M4A at 128 kbit/s',
    tags: { title: 'Apple Format', artist: 'Container Band', album: 'MP4' },
    rungs: ['a64', 'a128'],
    channels: 2,
    sampleRate: 44100,
  },
  { fixture: 'monoMp3', describes: 'a mono MP3, kept mono', tags: { title: 'mono' }, rungs: ['a64', 'a128'], channels: 1, sampleRate: 44100 },
  {
    fixture: 'surroundFlac',
    describes: 'a 5.1 FLAC, downmixed to stereo',
    tags: { title: 'surround' },
    rungs: ['a64', 'a128', 'a256'],
    channels: 2,
    sampleRate: 48000,
  },
  { fixture: 'oneSecondWav', describes: 'a one-second WAV', tags: { title: 'blip' }, rungs: ['a64', 'a128', 'a256'], channels: 2, sampleRate: 44100 },
];

describe('POST /tracks?wait=true with real audio', function () {
  this.timeout(120_000);
  let harness: CrudHarness;

  before(async () => {
    harness = await startCrud();
  });
  after(() => harness.close());

  for (const format of cases) {
    it(`turns ${format.describes} into a ready AAC ladder`, async () => {
      const file = await fixture(format.fixture);
      const response = await harness.http.post('/tracks?wait=true').attach('file', file.path, file.filename);

      expect(response.status, JSON.stringify(response.body)).to.equal(201);
      const track = response.body as Track;
      expect(response.headers.location).to.equal(`tracks/${track.id}`);
      expect(track).to.include({ status: 'ready', progress: 1, error: null, hasCover: format.hasCover ?? false });
      expect(track).to.include(format.tags);
      expect(track.durationSec).to.be.closeTo(file.durationSec, 0.1);
      expect(track.source).to.include({ filename: file.filename, bytes: statSync(file.path).size, sha256: await sha256Of(file.path) });
      expect(track.loudness?.integratedLufs).to.be.a('number');
      expect(track.loudness?.truePeakDbtp).to.be.a('number');
      expect(track.peaks).to.have.length.within(900, 1000);
      expect(Math.max(...track.peaks)).to.be.within(0.01, 1);

      expect(track.renditions.map((rendition) => rendition.id)).to.deep.equal(format.rungs);
      for (const rendition of track.renditions) {
        expect(rendition).to.include({ codecs: 'mp4a.40.2', channels: format.channels, sampleRate: format.sampleRate });
        expect(rendition.durationSec).to.be.closeTo(track.durationSec, 0.1);
        expect(rendition.peakBandwidth).to.be.at.least(rendition.averageBandwidth);
        expect(rendition.averageBandwidth).to.be.within(rendition.bitrate * 0.5, rendition.bitrate * 1.5);
        expect(rendition.targetDuration).to.equal(file.durationSec >= 6 ? 6 : 1);

        const stored = await harness.database.segments.find({ trackId: track.id, rendition: rendition.id, duration: { $gt: 0 } }).toArray();
        expect(stored).to.have.length(rendition.segmentCount);
        const storedSum = stored.reduce((sum, segment) => sum + segment.duration, 0);
        expect(storedSum).to.be.closeTo(rendition.durationSec, 1e-6);

        await withStoredRendition(harness.database, track.id, rendition.id, rendition.segmentCount, async (path) => {
          expect(await probeStream(path)).to.include({ codec_name: 'aac', profile: 'LC', channels: format.channels });
          expect(await decodedDurationSec(path)).to.be.closeTo(track.durationSec, 0.1);
        });
      }

      const original = await harness.database.db.collection('originals.files').findOne({ _id: track.id as never });
      expect(original).to.include({ length: statSync(file.path).size, filename: file.filename });
      expect(await harness.database.covers.countDocuments({ _id: track.id })).to.equal(format.hasCover ? 1 : 0);
      expect((await storedCounts(harness)).tempEntries, 'temp files left').to.equal(0);
    });
  }
});

describe('POST /tracks with the ffmpeg shipped in npm packages', function () {
  this.timeout(120_000);

  it('ingests with the bundled ffmpeg and ffprobe, so `npm install` alone is enough', async () => {
    const require = createRequire(import.meta.url);
    const harness = await startCrud({
      FFMPEG_PATH: (require('@ffmpeg-installer/ffmpeg') as { path: string }).path,
      FFPROBE_PATH: (require('@ffprobe-installer/ffprobe') as { path: string }).path,
    });
    try {
      const file = await fixture('taggedMp3');
      const response = await harness.http.post('/tracks?wait=true').attach('file', file.path, file.filename);
      expect(response.status).to.equal(201);
      expect(response.body).to.include({ status: 'ready', title: 'Night Drive' });
      expect(response.body.durationSec).to.be.closeTo(file.durationSec, 0.1);
      expect(response.body.renditions).to.have.length(3);
    } finally {
      await harness.close();
    }
  });
});
