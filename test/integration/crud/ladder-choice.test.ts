import { statSync } from 'node:fs';
import { expect } from 'chai';
import type { Track } from '../../../functions/core/schemas/track.js';
import { type CrudHarness, startCrud } from '../../support/crud.js';
import { type FixtureName, fixture } from '../../support/fixtures.js';

/** Sources as people upload them, and the rungs each earns (README, "The ladder a source earns"). */
const matrix: ReadonlyArray<{ fixture: FixtureName; source: string; rungs: string[] }> = [
  { fixture: 'denseOpus96', source: 'Opus at 96 kbit/s', rungs: ['a64', 'a128', 'a256'] },
  { fixture: 'denseVorbisQ4', source: 'Vorbis q4', rungs: ['a64', 'a128', 'a256'] },
  { fixture: 'denseMp3V2', source: 'VBR MP3 V2', rungs: ['a64', 'a128'] },
  { fixture: 'denseFlac', source: 'FLAC', rungs: ['a64', 'a128', 'a256'] },
  { fixture: 'denseMp3At64k', source: 'MP3 at 64 kbit/s', rungs: ['a64'] },
];

describe('the ladder each source earns', function () {
  this.timeout(120_000);
  let harness: CrudHarness;
  before(async () => {
    harness = await startCrud();
  });
  after(() => harness.close());

  for (const { fixture: name, source, rungs } of matrix) {
    it(`${source}: ${rungs.join(', ')}, its bit rate measured over the whole file`, async () => {
      const file = await fixture(name);
      const response = await harness.http.post('/tracks?wait=true').attach('file', file.path, file.filename);
      expect(response.status, JSON.stringify(response.body)).to.equal(201);
      const track = response.body as Track;
      expect(track.renditions.map((rendition) => rendition.id)).to.deep.equal(rungs);
      // no cover here: every byte is audio, give or take the container's framing
      const average = (statSync(file.path).size * 8) / track.durationSec;
      expect(track.source.bitrate).to.be.closeTo(average, average * 0.01);
    });
  }
});
