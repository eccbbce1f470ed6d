import { expect } from 'chai';
import { writeMasterPlaylist } from '../../../../functions/stream/playlists/master-playlist.js';
import { writeMediaPlaylist } from '../../../../functions/stream/playlists/media-playlist.js';
import { type PresentedTrack, playlistParts, playlistVariants, renditionAt } from '../../../../functions/stream/playlists/playlist-presentation.js';
import { parseMaster, parseMedia } from '../../../support/hls.js';
import { storedRendition as rendition } from '../../../support/track-documents.js';

// a full ladder, one cut at 128 kbit/s (its source was worth no more), and a lone 64 kbit/s rung
const full: PresentedTrack = { id: 'AAAAAAAAAAAA', renditions: [rendition('a64', 64_000, [6, 6, 1.5]), rendition('a128', 128_000, [6, 6, 1.5]), rendition('a256', 256_000, [6, 6, 1.5])] };
const cut: PresentedTrack = { id: 'BBBBBBBBBBBB', renditions: [rendition('a128', 128_000, [6, 2.25]), rendition('a64', 64_000, [6, 2.25])] };
const lone: PresentedTrack = { id: 'CCCCCCCCCCCC', renditions: [rendition('a64', 64_000, [6.6])] };

describe('a playlist as one HLS presentation', () => {
  it('plays each track at its richest rendition at or under the variant, or its poorest when none is', () => {
    expect(renditionAt(full, 128_000).id).to.equal('a128');
    expect(renditionAt(cut, 256_000).id).to.equal('a128');
    expect(renditionAt(lone, 256_000).id).to.equal('a64');
    expect(renditionAt(cut, 32_000).id).to.equal('a64');
  });

  it('has a variant per rung any track has, its BANDWIDTH the highest peak it plays and its average weighted by time', () => {
    const variants = playlistVariants([full, cut, lone]);
    expect(variants.map((variant) => variant.id).sort()).to.deep.equal(['a128', 'a256', 'a64']);
    const top = variants.find((variant) => variant.id === 'a256')!;
    expect(top.peakBandwidth).to.equal(full.renditions[2]!.peakBandwidth);
    const played = [full.renditions[2]!, cut.renditions[0]!, lone.renditions[0]!];
    const seconds = played.reduce((sum, each) => sum + each.durationSec, 0);
    expect(top.averageBandwidth).to.equal(Math.round(played.reduce((sum, each) => sum + each.averageBandwidth * each.durationSec, 0) / seconds));
    expect(parseMaster(writeMasterPlaylist(variants)).variants).to.have.length(3);
  });

  it("writes each track's segments behind a discontinuity and its own init segment, every URI the track's own file", () => {
    const media = parseMedia(writeMediaPlaylist(playlistParts([full, cut, lone], 'a256')!, true));
    // the longest segment of any track: the last track's 6.6 s
    expect(media).to.include({ playlistType: 'VOD', endlist: true, targetDuration: 7 });
    expect(media.segments.map((segment) => segment.uri)).to.deep.equal([
      '../../../tracks/AAAAAAAAAAAA/a256/000000.m4s',
      '../../../tracks/AAAAAAAAAAAA/a256/000001.m4s',
      '../../../tracks/AAAAAAAAAAAA/a256/000002.m4s',
      '../../../tracks/BBBBBBBBBBBB/a128/000000.m4s',
      '../../../tracks/BBBBBBBBBBBB/a128/000001.m4s',
      '../../../tracks/CCCCCCCCCCCC/a64/000000.m4s',
    ]);
    expect(media.segments.map((segment) => segment.discontinuity === true)).to.deep.equal([false, false, false, true, false, true]);
    expect(media.segments.map((segment) => segment.map?.uri)).to.deep.equal([
      ...Array(3).fill('../../../tracks/AAAAAAAAAAAA/a256/init.mp4'),
      ...Array(2).fill('../../../tracks/BBBBBBBBBBBB/a128/init.mp4'),
      '../../../tracks/CCCCCCCCCCCC/a64/init.mp4',
    ]);
    expect(media.segments.map((segment) => segment.duration)).to.deep.equal([6, 6, 1.5, 6, 2.25, 6.6]);
  });

  it('has no media playlist for a rung none of its tracks has', () => {
    expect(playlistParts([cut, lone], 'a256')).to.equal(null);
  });
});
