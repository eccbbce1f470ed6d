import { execFile } from 'node:child_process';
import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { mediaTools } from './media.js';

/** Real HLS clients, played into raw audio whose length says how much they played. */

const run = promisify(execFile);
const PCM = { rate: 48000, bytesPerSecond: 48000 * 2 };

/** ffmpeg exits 0 even when a segment is missing, so what counts is how much audio came out. */
export async function ffmpegDecodedSec(url: string, audioStream: number): Promise<number> {
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
export async function gstreamerPlayedSec(url: string, dir: string): Promise<{ seconds: number; output: string }> {
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

