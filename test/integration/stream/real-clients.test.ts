import { execFile } from 'node:child_process';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { expect } from 'chai';
import type { Track } from '../../../functions/shared/schemas/track.js';
import type { FixtureName } from '../../support/fixtures.js';
import { type GatewayHarness, startGateway } from '../../support/gateway.js';
import { parseMaster } from '../../support/hls.js';
import { mediaTools } from '../../support/media.js';

const run = promisify(execFile);
const TOLERANCE_SEC = 0.05;
const PCM = { rate: 48000, bytesPerSecond: 48000 * 2 };

/** ffmpeg exits 0 even when a segment is missing, so what counts is how much audio came out. */
async function ffmpegDecodedSec(url: string, audioStream: number): Promise<number> {
  const { stdout } = await run(
    mediaTools.ffmpeg,
    ['-v', 'error', '-nostdin', '-i', url, '-map', `0:a:${audioStream}`, '-ac', '1', '-ar', String(PCM.rate), '-f', 's16le', '-'],
    { encoding: 'buffer', maxBuffer: 256 * 1024 * 1024 },
  );
  return stdout.length / PCM.bytesPerSecond;
}

/**
 * GStreamer 1.22's hlsdemux2 races on a stream short enough to download whole
 * before its pad is exposed: it logs this line and gives up on a stream that
 * was served correctly. Only that race is retried; any other error fails.
 */
const HLSDEMUX2_EXPOSE_RACE = "Can't push EOS on non-exposed pad";

/** GStreamer's playbin3 plays the stream into a file until end-of-stream; the file says how much it played. */
async function gstreamerPlayedSec(url: string, dir: string): Promise<{ seconds: number; output: string }> {
  const out = join(dir, 'played.raw');
  const sink = `audioconvert ! audioresample ! audio/x-raw,format=S16LE,channels=1,rate=${PCM.rate} ! filesink location=${out}`;
  const args = ['60', 'gst-launch-1.0', 'playbin3', `uri=${url}`, 'video-sink=fakesink', `audio-sink=${sink}`];
  const env = { ...process.env, GST_DEBUG: 'adaptivedemux2:1', GST_DEBUG_NO_COLOR: '1' };
  for (let attempt = 1; ; attempt++) {
    try {
      const { stdout, stderr } = await run('timeout', args, { env });
      return { seconds: (await stat(out)).size / PCM.bytesPerSecond, output: stdout + stderr };
    } catch (error) {
      const output = String((error as { stderr?: unknown }).stderr ?? '');
      if (attempt === 3 || !output.includes(HLSDEMUX2_EXPOSE_RACE)) throw error;
    }
  }
}

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
