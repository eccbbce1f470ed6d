import { expect } from 'chai';
import { describeError, formatBytes, requestIdOf, trackDetails, trackTable } from '../../../../api-client/src/cli/format.js';
import { ConnectionError, apiError } from '../../../../api-client/src/errors.js';
import { toTrack } from '../../../../functions/core/schemas/track.js';
import { processingTrack, storedRendition } from '../../../support/track-documents.js';

const lease = { owner: 'crud-1', until: new Date(Date.now() + 60_000), attempts: 1 };
const urls = { master: 'http://127.0.0.1:8080/function/stream/tracks/AAAAAAAAAAAA/master.m3u8', share: 'http://127.0.0.1:8080/function/web/#AAAAAAAAAAAA' };
const lines = (text: string) => Object.fromEntries(text.split('\n').map((line) => [line.slice(0, 12).trim(), line.slice(12)]));

describe('the CLI text output', () => {
  it('gives sizes under a kilobyte in whole bytes and larger ones to one decimal, up to gigabytes', () => {
    expect(formatBytes(0)).to.equal('0 B');
    expect(formatBytes(999)).to.equal('999 B');
    expect(formatBytes(1500)).to.equal('1.5 KB');
    expect(formatBytes(12_000_000)).to.equal('12.0 MB');
    expect(formatBytes(4_200_000_000_000)).to.equal('4200.0 GB');
  });

  it('shows how far a track in processing has got, and leaves out what it does not have yet', () => {
    const document = processingTrack('AAAAAAAAAAAA', lease, { progress: 0.426 });
    const track = toTrack({ ...document, source: { ...document.source, bytes: 640 } });
    const shown = lines(trackDetails(track, urls));
    expect(shown).to.include({ 'status:': 'processing 43%', 'source:': 'AAAAAAAAAAAA.mp3 (MPEG 1 Layer 3, 640 B)', 'playlist:': urls.master });
    expect(shown).to.not.have.any.keys('error:', 'renditions:', 'loudness:', 'artist:', 'year:');
  });

  it('says why a failed track failed', () => {
    const failed = toTrack(processingTrack('AAAAAAAAAAAA', lease, { status: 'failed', error: { code: 'undecodable_audio', message: 'This audio file cannot be decoded' } }));
    expect(lines(trackDetails(failed, urls))).to.include({ 'status:': 'failed', 'error:': 'This audio file cannot be decoded' });
  });

  it('lists a ready track with its tags, renditions and loudness', () => {
    const ready = toTrack(
      processingTrack('AAAAAAAAAAAA', lease, {
        status: 'ready',
        progress: 1,
        artist: 'The Tides',
        year: 2021,
        trackNumber: 3,
        loudness: { integratedLufs: -14.04, truePeakDbtp: -1, rangeLu: 4 },
        renditions: [storedRendition('a64', 64_000, [6, 6]), storedRendition('a128', 128_000, [6, 6])],
      }),
    );
    expect(lines(trackDetails(ready, urls))).to.include({
      'status:': 'ready',
      'artist:': 'The Tides',
      'year:': '2021',
      'track:': '3',
      'renditions:': 'a64, a128',
      'loudness:': '-14.0 LUFS',
      'duration:': '5:00',
    });
    const untagged = toTrack(processingTrack('BBBBBBBBBBBB', lease, { durationSec: 3725.4 }));
    expect(trackTable([ready, untagged]).split('\n')).to.deep.equal([
      'ID            STATUS      DURATION  TRACK',
      'AAAAAAAAAAAA  ready       5:00      The Tides – Track AAAAAAAAAAAA',
      'BBBBBBBBBBBB  processing  1:02:05   Track BBBBBBBBBBBB',
    ]);
  });

  it('says an error the service answered with the request id it gave, and any other error as its message alone', () => {
    const answered = apiError({ status: 404, code: 'not_found', message: 'No track AAAAAAAAAAAA', headers: new Headers({ 'x-request-id': 'req-7f3a' }) });
    expect(describeError(answered)).to.equal('No track AAAAAAAAAAAA (request id: req-7f3a)');
    expect(requestIdOf(answered)).to.equal('req-7f3a');
    const proxied = apiError({ status: 502, code: null, message: 'Bad Gateway', headers: new Headers() });
    expect(describeError(proxied)).to.equal('Bad Gateway');
    expect(requestIdOf(proxied)).to.equal(null);
    const unanswered = new ConnectionError('Could not reach http://127.0.0.1:9: ECONNREFUSED');
    expect(describeError(unanswered)).to.equal('Could not reach http://127.0.0.1:9: ECONNREFUSED');
    expect(requestIdOf(unanswered)).to.equal(null);
  });
});
