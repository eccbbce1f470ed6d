import { setTimeout as sleep } from 'node:timers/promises';
import { expect } from 'chai';
import type { TrackDocument } from '../../../../functions/core/schemas/track.js';
import { TrackStore } from '../../../../functions/shared/storage/track-store.js';
import { TrackCache } from '../../../../functions/stream/cache/track-cache.js';
import { caught } from '../../../support/caught.js';
import { freshDatabase, type TestDatabase, wrapMethod } from '../../../support/database.js';
import { readyTrack } from '../../../support/track-documents.js';

describe('TrackCache', () => {
  let database: TestDatabase;
  let store: TrackStore;
  /** the real store, counting its reads; `failing` makes every read fail */
  let tracks: TrackStore;
  let reads: number;
  let failing: boolean;
  let gone: string[];
  const cache = (ttlMs: number) => new TrackCache(tracks, ttlMs, (id) => gone.push(id));

  before(async () => {
    database = await freshDatabase();
    store = new TrackStore(database.tracks);
    tracks = wrapMethod(store, 'get', (get) => async (id) => {
      reads++;
      if (failing) throw new Error('the database is gone');
      return get(id);
    });
  });
  after(() => database.drop());

  beforeEach(async () => {
    await database.tracks.deleteMany({});
    await store.insert(readyTrack('aaaaaaaaaaaa'));
    reads = 0;
    failing = false;
    gone = [];
  });

  it('answers a track read recently without waiting and without reading it again', async () => {
    const trackCache = cache(1000);
    const first = trackCache.get('aaaaaaaaaaaa');
    expect(first).to.be.instanceOf(Promise);
    expect((await first)!._id).to.equal('aaaaaaaaaaaa');
    const again = trackCache.get('aaaaaaaaaaaa');
    expect(again).not.to.be.instanceOf(Promise);
    expect((again as TrackDocument)._id).to.equal('aaaaaaaaaaaa');
    expect(trackCache.lookup('aaaaaaaaaaaa')).not.to.be.instanceOf(Promise);
    expect(reads).to.equal(1);
  });

  it('remembers a track that is not there as well, for as long', async () => {
    const trackCache = cache(1000);
    expect(await trackCache.get('bbbbbbbbbbbb')).to.equal(null);
    expect(trackCache.get('bbbbbbbbbbbb')).to.equal(null);
    expect(reads).to.equal(1);
  });

  it('lets concurrent requests for a track not at hand share one read', async () => {
    const trackCache = cache(1000);
    const answers = await Promise.all([trackCache.get('aaaaaaaaaaaa'), trackCache.lookup('aaaaaaaaaaaa'), trackCache.get('aaaaaaaaaaaa')]);
    expect(answers.map((answer) => ('texts' in answer! ? answer.track : answer)!._id)).to.deep.equal(Array(3).fill('aaaaaaaaaaaa'));
    expect(reads).to.equal(1);
  });

  it('reads a track again once its time is up', async () => {
    const trackCache = cache(30);
    await trackCache.get('aaaaaaaaaaaa');
    await sleep(60);
    expect(trackCache.get('aaaaaaaaaaaa')).to.be.instanceOf(Promise);
    await trackCache.get('aaaaaaaaaaaa');
    expect(reads).to.equal(2);
  });

  it('with a time of 0, reads the track for every request, concurrent ones sharing a read', async () => {
    const trackCache = cache(0);
    await trackCache.get('aaaaaaaaaaaa');
    expect(trackCache.get('aaaaaaaaaaaa')).to.be.instanceOf(Promise);
    await Promise.all([trackCache.get('aaaaaaaaaaaa'), trackCache.get('aaaaaaaaaaaa')]);
    expect(reads).to.equal(2);
  });

  it('tells when a reload finds a track gone, and only then', async () => {
    const trackCache = cache(30);
    await trackCache.get('aaaaaaaaaaaa');
    await trackCache.get('bbbbbbbbbbbb');
    await store.delete('aaaaaaaaaaaa');
    await sleep(60);
    expect(await trackCache.get('aaaaaaaaaaaa')).to.equal(null);
    expect(await trackCache.get('bbbbbbbbbbbb')).to.equal(null);
    expect(gone).to.deep.equal(['aaaaaaaaaaaa']);
  });

  it('forgets a track at once when told, and tells', async () => {
    const trackCache = cache(1000);
    await trackCache.get('aaaaaaaaaaaa');
    await store.delete('aaaaaaaaaaaa');
    trackCache.forget('aaaaaaaaaaaa');
    expect(gone).to.deep.equal(['aaaaaaaaaaaa']);
    expect(await trackCache.get('aaaaaaaaaaaa')).to.equal(null);
    expect(reads).to.equal(2);
  });

  it('answers the requests waiting on a read that a forget cut short, and keeps nothing of it', async () => {
    const trackCache = cache(1000);
    const waiting = trackCache.get('aaaaaaaaaaaa');
    trackCache.forget('aaaaaaaaaaaa');
    expect((await waiting)!._id).to.equal('aaaaaaaaaaaa');
    await store.delete('aaaaaaaaaaaa');
    expect(await trackCache.get('aaaaaaaaaaaa')).to.equal(null);
  });

  it('fails every request waiting on a failed read, reads again at the next, and still notices a track gone meanwhile', async () => {
    const trackCache = cache(30);
    await trackCache.get('aaaaaaaaaaaa');
    await sleep(60);
    failing = true;
    const errors = await Promise.all([caught(trackCache.get('aaaaaaaaaaaa') as Promise<unknown>), caught(trackCache.get('aaaaaaaaaaaa') as Promise<unknown>)]);
    expect(errors.map((error) => error.message)).to.deep.equal(Array(2).fill('the database is gone'));
    expect(reads).to.equal(2);
    failing = false;
    await store.delete('aaaaaaaaaaaa');
    expect(await trackCache.get('aaaaaaaaaaaa')).to.equal(null);
    expect(gone).to.deep.equal(['aaaaaaaaaaaa']);
  });

  it('makes a text once per load of its track', async () => {
    const trackCache = cache(30);
    let made = 0;
    const make = () => `#EXTM3U ${++made}\n`;
    const entry = await trackCache.lookup('aaaaaaaaaaaa');
    const text = trackCache.text(entry, 'master', make);
    expect(trackCache.text(entry, 'master', make)).to.equal(text);
    expect(text.body.toString()).to.equal('#EXTM3U 1\n');
    expect(text.etag).to.match(/^W\/"/);
    await sleep(60);
    const reloaded = await trackCache.lookup('aaaaaaaaaaaa');
    expect(trackCache.text(reloaded, 'master', make).body.toString()).to.equal('#EXTM3U 2\n');
  });

  it('holds at most 10,000 tracks, letting the least recently used go', async () => {
    const trackCache = cache(60_000);
    const ids = Array.from({ length: 10_001 }, (_, index) => `t${String(index).padStart(11, '0')}`);
    await trackCache.get(ids[0]!);
    await Promise.all(ids.slice(1, 10_000).map((id) => trackCache.get(id)));
    expect(trackCache.get(ids[0]!), 'the first, used again').not.to.be.instanceOf(Promise);
    await trackCache.get(ids[10_000]!);
    expect(trackCache.get(ids[1]!), 'the least recently used').to.be.instanceOf(Promise);
    expect(trackCache.get(ids[0]!)).not.to.be.instanceOf(Promise);
  });
});
