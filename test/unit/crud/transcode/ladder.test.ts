import { expect } from 'chai';
import { planLadder } from '../../../../functions/crud/transcode/ladder.js';

const ids = (source: Parameters<typeof planLadder>[0]) => planLadder(source).map((plan) => plan.id);
const stereo = (codec: string, bitrate: number | null) => ids({ codec, bitrate, channels: 2, sampleRate: 44100 });

describe('planLadder', () => {
  it('makes every rung from a lossless or unknown-rate source', () => {
    for (const codec of ['FLAC', 'flac', 'alac', 'pcm_s16le', 'PCM', 'WavPack']) expect(stereo(codec, 700_000), codec).to.deep.equal(['a64', 'a128', 'a256']);
    expect(stereo('MPEG 1 Layer 3', null)).to.deep.equal(['a64', 'a128', 'a256']);
  });

  it("gives a lossy source the rungs its bits are worth in AAC, with room for a second generation's loss", () => {
    expect(stereo('AAC', 128_000), 'AAC 128: the 256 rung would only inflate it').to.deep.equal(['a64', 'a128']);
    expect(stereo('AAC', 192_000)).to.deep.equal(['a64', 'a128', 'a256']);
    expect(stereo('MPEG 1 Layer 3', 64_000)).to.deep.equal(['a64']);
    expect(stereo('mp3', 128_000)).to.deep.equal(['a64', 'a128']);
    expect(stereo('MPEG 1 Layer 3', 190_000), 'a VBR V2 average').to.deep.equal(['a64', 'a128']);
    expect(stereo('MPEG 1 Layer 3', 210_000)).to.deep.equal(['a64', 'a128', 'a256']);
    expect(stereo('Opus', 96_000), 'Opus goes twice as far as AAC').to.deep.equal(['a64', 'a128', 'a256']);
    expect(stereo('opus', 48_000)).to.deep.equal(['a64', 'a128']);
    expect(stereo('Vorbis I', 128_000), 'Vorbis q4').to.deep.equal(['a64', 'a128', 'a256']);
    expect(stereo('vorbis', 80_000)).to.deep.equal(['a64', 'a128']);
    expect(stereo('mp2', 128_000)).to.deep.equal(['a64']);
  });

  it('keeps at least one rung for a very low-rate source', () => {
    expect(ids({ codec: 'mp3', bitrate: 24_000, channels: 1, sampleRate: 8000 })).to.deep.equal(['a64']);
  });

  it('keeps mono, downmixes more than two channels, and picks 44.1 or 48 kHz by family', () => {
    const [mono] = planLadder({ codec: 'flac', bitrate: null, channels: 1, sampleRate: 22050 });
    expect(mono).to.include({ channels: 1, sampleRate: 44100 });
    const [surround] = planLadder({ codec: 'flac', bitrate: null, channels: 6, sampleRate: 96000 });
    expect(surround).to.include({ channels: 2, sampleRate: 48000 });
  });
});
