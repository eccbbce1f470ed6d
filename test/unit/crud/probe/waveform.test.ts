import { expect } from 'chai';
import { WaveformBuilder } from '../../../../functions/crud/probe/waveform.js';

/** Interleaved 16-bit stereo where frame i of channel c holds `sample(i, c)`. */
function pcm(frames: number, sample: (frame: number, channel: number) => number): Buffer {
  const buffer = Buffer.alloc(frames * 4);
  for (let frame = 0; frame < frames; frame++) {
    buffer.writeInt16LE(sample(frame, 0), frame * 4);
    buffer.writeInt16LE(sample(frame, 1), frame * 4 + 2);
  }
  return buffer;
}

describe('WaveformBuilder', () => {
  it('gives about the target number of peaks, each the loudest sample of its stretch on any channel', () => {
    const builder = new WaveformBuilder(2, 100_000, 100);
    // first half quiet on the left, second half loud and negative on the right
    builder.push(pcm(100_000, (frame, channel) => (frame < 50_000 ? (channel === 0 ? 3277 : 0) : channel === 1 ? -32768 : 0)));
    const peaks = builder.finish();
    expect(peaks).to.have.length(100);
    expect(peaks.slice(0, 50).every((peak) => peak === 0.1)).to.equal(true);
    expect(peaks.slice(50).every((peak) => peak === 1)).to.equal(true);
    expect(builder.frames).to.equal(100_000);
  });

  it('copes with chunks that split a frame and with a longer file than expected', () => {
    const builder = new WaveformBuilder(2, 1000, 50);
    const data = pcm(10_000, () => 16384);
    for (let offset = 0; offset < data.length; offset += 333) builder.push(data.subarray(offset, offset + 333));
    expect(builder.frames).to.equal(10_000);
    const peaks = builder.finish();
    expect(peaks).to.have.length(50);
    expect(new Set(peaks)).to.deep.equal(new Set([0.5]));
  });

  it('gives fewer peaks than asked for when there are fewer frames', () => {
    const builder = new WaveformBuilder(2, 10, 1000);
    builder.push(pcm(10, () => 0));
    expect(builder.finish()).to.deep.equal(Array(10).fill(0));
  });

  it('keeps its memory bounded and its shape true when the audio runs far longer than the file claimed', () => {
    // the file said 100 frames; it decodes to a million, loud only in its last tenth
    const builder = new WaveformBuilder(2, 100, 100);
    const quiet = pcm(10_000, () => 0);
    for (let chunk = 0; chunk < 90; chunk++) builder.push(quiet);
    const loud = pcm(10_000, () => 32767);
    for (let chunk = 0; chunk < 10; chunk++) builder.push(loud);
    const internal = builder as unknown as { fine: number[] };
    expect(internal.fine.length, 'fine buckets').to.be.below(100 * 8);
    const peaks = builder.finish();
    expect(peaks).to.have.length(100);
    expect(peaks.slice(0, 89).every((peak) => peak === 0), 'quiet at first').to.equal(true);
    expect(peaks.slice(91).every((peak) => peak === 1), 'loud at the end').to.equal(true);
  });
});
