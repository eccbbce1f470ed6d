import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import type { Track } from '../../../functions/core/schemas/track.js';
import type { FixtureName } from '../../support/fixtures.js';
import { type GatewayHarness, startGateway } from '../../support/gateway.js';
import { parseMaster } from '../../support/hls.js';
import { ffmpegDecodedSec, gstreamerPlayedSec } from '../../support/hls-clients.js';

const TOLERANCE_SEC = 0.05;

describe('real HLS clients play the stream to the end', function () {
  this.timeout(180_000);
  let harness: GatewayHarness;
  let dir: string;

  before(async () => {
    harness = await startGateway();
    dir = await mkdtemp(join(tmpdir(), 'segue-clients-'));
  });
  after(async () => {
    await harness.close();
    await rm(dir, { recursive: true, force: true });
  });

  const sources: FixtureName[] = ['taggedMp3', 'hiresFlac', 'monoMp3', 'oneSecondWav'];

  for (const source of sources) {
    describe(`a track made from ${source}`, () => {
      let track: Track;
      let master: string;
      before(async () => {
        track = await harness.ingest(source);
        master = `${harness.streamUrl}/tracks/${track.id}/master.m3u8`;
      });

      it('decodes to its full length in ffmpeg, in every rendition', async () => {
        const variants = parseMaster((await harness.http.get(new URL(master).pathname)).text).variants;
        expect(variants).to.have.length(track.renditions.length);
        for (let index = 0; index < variants.length; index++) {
          expect(await ffmpegDecodedSec(master, index), variants[index]!.uri).to.be.closeTo(track.durationSec, TOLERANCE_SEC);
        }
      });

      it('plays to end-of-stream in GStreamer playbin3', async () => {
        const { seconds, output } = await gstreamerPlayedSec(master, dir);
        expect(output).to.contain('Got EOS');
        expect(output).not.to.match(/ERROR/);
        expect(seconds).to.be.closeTo(track.durationSec, TOLERANCE_SEC);
      });
    });
  }
});
