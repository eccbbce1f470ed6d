import { readFile } from 'node:fs/promises';
import { Segue, type TrackList } from '@segue/api-client';
import { expect } from 'chai';
import { distinctCopy } from '../../support/fixtures.js';
import { type GatewayHarness, startGateway } from '../../support/gateway.js';

describe('the SDK: iterating the library', function () {
  this.timeout(120_000);
  let harness: GatewayHarness;
  let segue: Segue;
  const uploaded: string[] = [];

  before(async () => {
    harness = await startGateway();
    segue = new Segue({ baseUrl: harness.origin });
    for (let index = 0; index < 7; index++) {
      const title = index % 2 === 0 ? `Even song ${index}` : `Odd song ${index}`;
      // bytes of its own, or it would be answered with the track the same file made
      const bytes = await readFile((await distinctCopy('oneSecondWav')).path);
      uploaded.unshift((await segue.tracks.create({ file: bytes, title, filename: `${index}.wav` })).id);
    }
  });
  after(() => harness.close());

  it('walks every page: seven tracks, two a page, newest first, each once', async () => {
    const pages: TrackList[] = [];
    for await (const page of segue.tracks.list({ limit: 2 }).pages()) pages.push(page);
    expect(pages.map((page) => page.data.length)).to.deep.equal([2, 2, 2, 1]);
    expect(pages.at(-1)!.nextCursor).to.equal(null);

    const ids: string[] = [];
    for await (const track of segue.tracks.list({ limit: 2 })) ids.push(track.id);
    expect(ids).to.deep.equal(uploaded);
  });

  it('passes the search along to every page', async () => {
    const titles = (await segue.tracks.list({ q: 'even', limit: 1 }).toArray()).map((track) => track.title);
    expect(titles).to.deep.equal(['Even song 6', 'Even song 4', 'Even song 2', 'Even song 0']);
  });

  it('hands out one page and its cursor for a UI that pages itself', async () => {
    const first = await segue.tracks.page({ limit: 3 });
    const second = await segue.tracks.page({ limit: 3, cursor: first.nextCursor });
    expect([...first.data, ...second.data].map((track) => track.id)).to.deep.equal(uploaded.slice(0, 6));
  });
});
