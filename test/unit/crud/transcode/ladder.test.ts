import { expect } from 'chai';
import { planLadder } from '../../../../functions/crud/transcode/ladder.js';

const ids = (source: Parameters<typeof planLadder>[0]) => planLadder(source).map((plan) => plan.id);

describe('planLadder', () => {
  it('makes every rung from a lossless or unknown-rate source', () => {
    expect(ids({ bitrate: 1_411_200, channels: 2, sampleRate: 44100 })).to.deep.equal(['a64', 'a128', 'a256']);
    expect(ids({ bitrate: null, channels: 2, sampleRate: 44100 })).to.deep.equal(['a64', 'a128', 'a256']);
  });

  it('never encodes above what the source holds, allowing for VBR averages', () => {
    expect(ids({ bitrate: 128_000, channels: 2, sampleRate: 44100 })).to.deep.equal(['a64', 'a128']);
    expect(ids({ bitrate: 245_000, channels: 2, sampleRate: 44100 })).to.deep.equal(['a64', 'a128', 'a256']);
    expect(ids({ bitrate: 96_000, channels: 2, sampleRate: 48000 })).to.deep.equal(['a64']);
  });

  it('keeps at least one rung for a very low-rate source', () => {
    expect(ids({ bitrate: 24_000, channels: 1, sampleRate: 8000 })).to.deep.equal(['a64']);
  });

  it('keeps mono, downmixes more than two channels, and picks 44.1 or 48 kHz by family', () => {
    const [mono] = planLadder({ bitrate: null, channels: 1, sampleRate: 22050 });
    expect(mono).to.include({ channels: 1, sampleRate: 44100 });
    const [surround] = planLadder({ bitrate: null, channels: 6, sampleRate: 96000 });
    expect(surround).to.include({ channels: 2, sampleRate: 48000 });
  });
});
