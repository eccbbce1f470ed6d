import { expect } from 'chai';
import { peakSegmentBitrate, renditionFacts } from '../../../../functions/crud/transcode/rendition-facts.js';

const plan = { id: 'a128', bitrate: 128_000, channels: 2, sampleRate: 44100 } as const;

describe('renditionFacts', () => {
  it('measures peak and average bandwidth from segment sizes and durations', () => {
    const facts = renditionFacts(plan, [
      { file: '000000.m4s', duration: 6, bytes: 96_000 },
      { file: '000001.m4s', duration: 6, bytes: 102_000 },
      { file: '000002.m4s', duration: 2, bytes: 30_000 },
    ]);
    expect(facts.peakBandwidth).to.equal(136_000);
    expect(facts.averageBandwidth).to.equal(Math.ceil((228_000 * 8) / 14));
    expect(facts).to.include({ segmentCount: 3, targetDuration: 6, durationSec: 14 });
    expect(facts.segmentDurations).to.deep.equal([6, 6, 2]);
  });

  it('does not let a one-frame last segment count as the peak on its own (RFC 8216 4.1)', () => {
    const segments = [
      { file: '000000.m4s', duration: 6, bytes: 48_000 },
      { file: '000001.m4s', duration: 6, bytes: 48_000 },
      { file: '000002.m4s', duration: 0.023, bytes: 600 },
    ];
    // alone, the last one runs at 208 kbit/s; with its neighbour it is about 64 kbit/s
    expect(peakSegmentBitrate(segments, 6)).to.be.closeTo((48_600 * 8) / 6.023, 1);
  });

  it('takes the whole track as the only run when it is shorter than half a target duration', () => {
    expect(peakSegmentBitrate([{ file: '000000.m4s', duration: 0.4, bytes: 4000 }], 1)).to.equal(80_000);
  });

  it('rounds the target duration to the nearest second, as RFC 8216 allows', () => {
    const long = renditionFacts(plan, [{ file: '000000.m4s', duration: 6.49, bytes: 1 }]);
    expect(long.targetDuration).to.equal(6);
    const longer = renditionFacts(plan, [{ file: '000000.m4s', duration: 6.5, bytes: 1 }]);
    expect(longer.targetDuration).to.equal(7);
  });

  it('refuses a rendition without segments', () => {
    expect(() => renditionFacts(plan, [])).to.throw(/no segments/);
  });
});
