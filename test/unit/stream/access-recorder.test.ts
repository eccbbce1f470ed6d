import { setTimeout as sleep } from 'node:timers/promises';
import { expect } from 'chai';
import { createLogger } from '../../../functions/shared/logger.js';
import type { TrackStore } from '../../../functions/shared/storage/track-store.js';
import { AccessRecorder } from '../../../functions/stream/access-recorder.js';

describe('AccessRecorder', () => {
  let touched: string[];
  let failing: boolean;
  let logged: string[];
  const tracks = {
    async touch(id: string, at: Date) {
      expect(at).to.be.instanceOf(Date);
      touched.push(id);
      if (failing) throw new Error('the database is gone');
    },
  } as unknown as TrackStore;
  const logger = createLogger('warn', 'test', { write: (line: string) => logged.push(line) });

  beforeEach(() => {
    touched = [];
    failing = false;
    logged = [];
  });

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
