import { expect } from 'chai';
import { parseEbur128Summary } from '../../../../functions/crud/probe/loudness.js';

const summary = (integrated: string, peak: string) => `[Parsed_ebur128_1 @ 0x1] Summary:

  Integrated loudness:
    I:         ${integrated} LUFS
    Threshold: -35.1 LUFS

  Loudness range:
    LRA:         4.2 LU
    Threshold: -45.1 LUFS

  True peak:
    Peak:      ${peak} dBFS`;

describe('parseEbur128Summary', () => {
  it('reads integrated loudness, true peak and loudness range', () => {
    expect(parseEbur128Summary(`noise before\n${summary('-14.2', '-1.0')}`)).to.deep.equal({
      integratedLufs: -14.2,
      truePeakDbtp: -1,
      rangeLu: 4.2,
    });
  });

  it('reports silence as no loudness rather than -70 or -inf', () => {
    expect(parseEbur128Summary(summary('-70.0', '-inf'))).to.include({ integratedLufs: null, truePeakDbtp: null });
  });

  it('fails when ffmpeg printed no summary', () => {
    expect(() => parseEbur128Summary('nothing here')).to.throw(/no loudness summary/);
  });
});
