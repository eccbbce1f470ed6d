import { expect } from 'chai';
import { parseSegmentList, renditionOutputOptions } from '../../../../functions/crud/transcode/transcode-rendition.js';

describe('parseSegmentList', () => {
  it('reads each segment file with the EXTINF duration before it', () => {
    const playlist = [
      '#EXTM3U',
      '#EXT-X-VERSION:7',
      '#EXT-X-TARGETDURATION:6',
      '#EXT-X-MAP:URI="init.mp4"',
      '#EXTINF:6.013968,',
      '000000.m4s',
      '#EXTINF:2.5,',
      '000001.m4s',
      '#EXT-X-ENDLIST',
    ].join('\n');
    expect(parseSegmentList(playlist)).to.deep.equal([
      { file: '000000.m4s', duration: 6.013968 },
      { file: '000001.m4s', duration: 2.5 },
    ]);
  });
});

describe('renditionOutputOptions', () => {
  it('asks for AAC-LC in CMAF segments of 6 s with media extensions', () => {
    const options = renditionOutputOptions({ id: 'a64', bitrate: 64_000, channels: 1, sampleRate: 48000 }, '/work');
    const value = (flag: string) => options[options.indexOf(flag) + 1];
    expect(value('-c:a')).to.equal('aac');
    expect(value('-b:a')).to.equal('64000');
    expect(value('-ac')).to.equal('1');
    expect(value('-ar')).to.equal('48000');
    expect(value('-hls_time')).to.equal('6');
    expect(value('-hls_segment_type')).to.equal('fmp4');
    expect(value('-hls_playlist_type')).to.equal('event');
    expect(value('-hls_flags')).to.equal('temp_file');
    expect(value('-hls_fmp4_init_filename')).to.equal('init.mp4');
    expect(value('-hls_segment_filename')).to.equal('/work/%06d.m4s');
  });
});
