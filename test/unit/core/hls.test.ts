import { expect } from 'chai';
import { maxSegmentCount, mediaSegmentFile } from '../../../functions/core/hls.js';

describe('HLS naming and bounds', () => {
  it('names media segments with six digits and a media extension', () => {
    expect(mediaSegmentFile(0)).to.equal('000000.m4s');
    expect(mediaSegmentFile(1234)).to.equal('001234.m4s');
  });

  it('bounds the segment count above what 6 s segments can produce', () => {
    for (const duration of [0.5, 1, 6, 6.01, 59.9, 300, 10_800]) {
      expect(maxSegmentCount(duration)).to.be.at.least(Math.ceil(duration / 6) + 1);
    }
  });
});
