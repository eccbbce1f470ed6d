import { setTimeout as sleep } from 'node:timers/promises';
import { expect } from 'chai';
import { type CrudHarness, startCrud } from '../../support/crud.js';
import { distinctCopy } from '../../support/fixtures.js';

describe('MAX_CONCURRENT_JOBS', function () {
  this.timeout(180_000);
  let harness: CrudHarness;
  before(async () => {
    harness = await startCrud({ MAX_CONCURRENT_JOBS: '1' });
  });
  after(() => harness.close());

  it('transcodes one track at a time while the others wait their turn, and all end ready', async () => {
    // long enough that jobs running side by side would be seen reporting progress together
    const files = await Promise.all([0, 1, 2].map(() => distinctCopy('longWav')));
    const responses = await Promise.all(
      files.map((file, index) => harness.http.post('/tracks').attach('file', file.path, `song-${index}.wav`)),
    );
    expect(responses.map((response) => response.status)).to.deep.equal([202, 202, 202]);
    const ids: string[] = responses.map((response) => response.body.id);
    let mostAtOnce = 0;
    let sawWaiting = false;
    for (;;) {
      const tracks = await harness.database.tracks.find({ _id: { $in: ids } }).toArray();
      const transcoding = tracks.filter((track) => track.status === 'processing' && track.progress > 0);
      const waiting = tracks.filter((track) => track.status === 'processing' && track.progress === 0);
      mostAtOnce = Math.max(mostAtOnce, transcoding.length);
      // a waiting track keeps its lease alive, so no sweeper takes it from the queue
      if (waiting.length && transcoding.length) {
        sawWaiting = true;
        for (const track of waiting) expect(track.lease!.until.getTime()).to.be.greaterThan(Date.now());
      }
      if (tracks.every((track) => track.status !== 'processing')) {
        expect(tracks.map((track) => track.status)).to.deep.equal(['ready', 'ready', 'ready']);
        break;
      }
      await sleep(50);
    }
    expect(mostAtOnce).to.equal(1);
    expect(sawWaiting, 'some track waited while another was transcoded').to.equal(true);
  });
});
