import { setTimeout as sleep } from 'node:timers/promises';
import { expect } from 'chai';
import { createLogger } from '../../../functions/shared/logger.js';
import { TrackStore } from '../../../functions/shared/storage/track-store.js';
import { AccessRecorder } from '../../../functions/stream/access-recorder.js';
import { freshDatabase, type TestDatabase, wrapMethod } from '../../support/database.js';
import { readyTrack } from '../../support/track-documents.js';

describe('AccessRecorder', () => {
  let database: TestDatabase;
  /** the real store, noting the tracks it is asked to touch; `failing` makes every such write fail */
  let tracks: TrackStore;
  let touched: string[];
  let failing: boolean;
  let logged: string[];
  /** the recorder does not wait for its writes: each test's are done before the next */
  let writes: Promise<unknown>[];
  const logger = createLogger('warn', 'test', { write: (line: string) => logged.push(line) });

  before(async () => {
    database = await freshDatabase();
    const store = new TrackStore(database.tracks);
    await store.insert(readyTrack('aaaaaaaaaaaa'));
    await store.insert(readyTrack('bbbbbbbbbbbb'));
    tracks = wrapMethod(store, 'touch', (touch) => (id, at) => {
      const write = (async () => {
        expect(at).to.be.instanceOf(Date);
        touched.push(id);
        if (failing) throw new Error('the database is gone');
        await touch(id, at);
      })();
      writes.push(write.catch(() => undefined));
      return write;
    });
  });
  after(() => database.drop());

  beforeEach(() => {
    touched = [];
    failing = false;
    logged = [];
    writes = [];
  });
  afterEach(() => Promise.all(writes));

  it('writes the first play of a track, and not the next ones within the interval', async () => {
    const recorder = new AccessRecorder(tracks, logger);
    recorder.record('aaaaaaaaaaaa');
    recorder.record('aaaaaaaaaaaa');
    recorder.record('bbbbbbbbbbbb');
    await sleep(10);
    recorder.record('aaaaaaaaaaaa');
    expect(touched).to.deep.equal(['aaaaaaaaaaaa', 'bbbbbbbbbbbb']);
  });

  it('writes a play again once the interval has passed', async () => {
    const recorder = new AccessRecorder(tracks, logger, 30);
    recorder.record('aaaaaaaaaaaa');
    await sleep(60);
    recorder.record('aaaaaaaaaaaa');
    recorder.record('aaaaaaaaaaaa');
    expect(touched).to.deep.equal(['aaaaaaaaaaaa', 'aaaaaaaaaaaa']);
  });

  it('logs a write that failed, and writes again at the next play', async () => {
    const recorder = new AccessRecorder(tracks, logger);
    failing = true;
    recorder.record('aaaaaaaaaaaa');
    await sleep(10);
    expect(logged.join('')).to.contain('could not record an access').and.to.contain('aaaaaaaaaaaa');
    failing = false;
    recorder.record('aaaaaaaaaaaa');
    recorder.record('aaaaaaaaaaaa');
    expect(touched).to.deep.equal(['aaaaaaaaaaaa', 'aaaaaaaaaaaa']);
  });
});
