import { expect } from 'chai';
import { measureAudio } from '../../../../functions/crud/probe/measure-audio.js';
import { probeAudio } from '../../../../functions/crud/probe/probe-audio.js';
import { fixture } from '../../../support/fixtures.js';
import { mediaTools } from '../../../support/media.js';

describe('measureAudio', () => {
  it('stops decoding as soon as the upload is given up, rejecting with its reason', async () => {
    const file = await fixture('longWav');
    const probed = await probeAudio(mediaTools, file.path);
    const giveUp = new AbortController();
    const reason = new Error('the client went away');
    const started = Date.now();
    // decoding a WAV runs hundreds of times faster than real time: give up while ffmpeg is starting
    const measuring = measureAudio(mediaTools, file.path, probed, 3600, giveUp.signal);
    giveUp.abort(reason);
    const error = await measuring.catch((caught: unknown) => caught);
    expect(error).to.equal(reason);
    expect(Date.now() - started).to.be.below(2000);
  });

  it('measures the decoded length and the waveform when nothing gives up', async () => {
    const file = await fixture('oneSecondWav');
    const measured = await measureAudio(mediaTools, file.path, await probeAudio(mediaTools, file.path), 3600, new AbortController().signal);
    expect(measured.durationSec).to.be.closeTo(1, 0.001);
    expect(measured.peaks.length).to.be.greaterThan(0);
    // the fixture's tone plays at an eighth of full scale, under a little noise
    expect(Math.max(...measured.peaks)).to.be.within(0.05, 0.25);
  });
});
