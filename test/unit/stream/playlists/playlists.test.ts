import { expect } from 'chai';
import { writeMasterPlaylist } from '../../../../functions/stream/playlists/master-playlist.js';
import { writeMediaPlaylist } from '../../../../functions/stream/playlists/media-playlist.js';
import { parseMaster, parseMedia } from '../../../support/hls.js';
import { storedRendition as rendition } from '../../../support/track-documents.js';

const durations = [6.013968, 5.990748, 6.013968, 2.004535];
const ladder = [rendition('a256', 256_000, durations), rendition('a64', 64_000, durations), rendition('a128', 128_000, durations)];

describe('writeMasterPlaylist', () => {
  it('passes a strict RFC 8216 parser, version 7 with independent segments', () => {
    const text = writeMasterPlaylist(ladder);
    const master = parseMaster(text);
    expect(master.version).to.equal(7);
    expect(master.independentSegments).to.equal(true);
    expect(master.variants).to.have.length(3);
  });

  it('gives each variant its measured peak and average bandwidth, its codec and a relative URI', () => {
    const master = parseMaster(writeMasterPlaylist(ladder));
    for (const variant of master.variants) {
      const source = ladder.find((candidate) => variant.uri === `${candidate.id}/index.m3u8`)!;
      expect(variant).to.include({ bandwidth: source.peakBandwidth, averageBandwidth: source.averageBandwidth, codecs: 'mp4a.40.2' });
    }
  });

  it('leaves AVERAGE-BANDWIDTH out for a rendition still growing, whose average is not known yet', () => {
    const growing = { id: 'a128' as const, bitrate: 128_000, codecs: 'mp4a.40.2', peakBandwidth: 150_000 };
    const [variant] = parseMaster(writeMasterPlaylist([growing])).variants;
    expect(variant).to.include({ bandwidth: 150_000, uri: 'a128/index.m3u8' });
    expect(variant!.averageBandwidth).to.equal(undefined);
  });

  it('lists the 128 kbit/s rung first, where native players start, then the rest ascending', () => {
    expect(parseMaster(writeMasterPlaylist(ladder)).variants.map((variant) => variant.uri)).to.deep.equal([
      'a128/index.m3u8',
      'a64/index.m3u8',
      'a256/index.m3u8',
    ]);
    expect(parseMaster(writeMasterPlaylist([ladder[0]!])).variants.map((variant) => variant.uri)).to.deep.equal(['a256/index.m3u8']);
  });
});

describe('writeMediaPlaylist', () => {
  it('passes a strict RFC 8216 parser as a complete VOD playlist', () => {
    const media = parseMedia(writeMediaPlaylist([{ base: '', segmentDurations: ladder[2]!.segmentDurations }], true));
    expect(media).to.include({ version: 7, playlistType: 'VOD', endlist: true, targetDuration: 6, mediaSequenceBase: 0 });
  });

  it('lists every segment with its duration, a relative URI and the init segment map', () => {
    const media = parseMedia(writeMediaPlaylist([{ base: '', segmentDurations: ladder[2]!.segmentDurations }], true));
    expect(media.segments.map((segment) => segment.uri)).to.deep.equal(['000000.m4s', '000001.m4s', '000002.m4s', '000003.m4s']);
    expect(media.segments.map((segment) => segment.duration)).to.deep.equal(durations);
    for (const segment of media.segments) expect(segment.map?.uri).to.equal('init.mp4');
  });

  it('writes a growing rendition as an EVENT playlist without an end, to be played from its start', () => {
    const text = writeMediaPlaylist([{ base: '', segmentDurations: durations.slice(0, 2) }], false);
    const media = parseMedia(text);
    expect(media).to.include({ playlistType: 'EVENT', endlist: false, targetDuration: 6, mediaSequenceBase: 0 });
    expect(media.segments.map((segment) => segment.uri)).to.deep.equal(['000000.m4s', '000001.m4s']);
    expect(text).to.contain('#EXT-X-START:TIME-OFFSET=0,PRECISE=YES');
    expect(text).not.to.contain('#EXT-X-ENDLIST');
  });

  it('keeps the growing playlist a prefix of the complete one: the same segments, durations and target', () => {
    const growing = parseMedia(writeMediaPlaylist([{ base: '', segmentDurations: durations.slice(0, 3) }], false));
    const complete = parseMedia(writeMediaPlaylist([{ base: '', segmentDurations: durations }], true));
    expect(complete.targetDuration).to.equal(growing.targetDuration);
    expect(complete.segments.slice(0, 3).map((segment) => [segment.uri, segment.duration])).to.deep.equal(
      growing.segments.map((segment) => [segment.uri, segment.duration]),
    );
  });

  it('keeps every EXTINF, rounded, within the target duration', () => {
    const long = rendition('a64', 64_000, [6.49, 6.2, 0.02]);
    const media = parseMedia(writeMediaPlaylist([{ base: '', segmentDurations: long.segmentDurations }], true));
    for (const segment of media.segments) expect(Math.round(segment.duration)).to.be.at.most(media.targetDuration);
  });
});
