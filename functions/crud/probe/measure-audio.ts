import { Writable } from 'node:stream';
import { AudioRefused } from './audio-refused.js';
import { deadlineMs, FfmpegError, runFfmpeg } from '../media/ffmpeg.js';
import type { MediaTools } from '../media/media-tools.js';
import type { ProbedAudio } from './probe-audio.js';
import { WaveformBuilder } from './waveform.js';

export interface Measurement {
  /** what the decoder actually produced, to the sample */
  durationSec: number;
  peaks: number[];
}

/** Allowed shortfall of decoded audio against the header's promise before the file counts as cut off. */
const truncationTolerance = (declared: number) => Math.max(0.5, declared * 0.02);


const tooLong = (maxDurationSec: number, details: Record<string, unknown> = {}) =>
  new AudioRefused('too_long', `The audio is longer than the ${maxDurationSec} s this service accepts`, { maxDurationSec, ...details });

/** Refuses, before any decoding, a file whose headers already say it is too long. */
export function checkDeclaredDuration(probed: Pick<ProbedAudio, 'declaredDurationSec'>, maxDurationSec: number): void {
  if ((probed.declaredDurationSec ?? 0) > maxDurationSec) throw tooLong(maxDurationSec, { declaredDurationSec: probed.declaredDurationSec });
}

/**
 * Decodes the whole file once, while its ladder is encoded: proves it decodes
 * to the end, and measures its exact length and its waveform on the way (both
 * nearly free beside the decoding itself).
 */
export async function measureAudio(
  tools: MediaTools,
  path: string,
  probed: ProbedAudio,
  maxDurationSec: number,
  signal?: AbortSignal,
): Promise<Measurement> {
  checkDeclaredDuration(probed, maxDurationSec);
  const maxFrames = maxDurationSec * probed.sampleRate;
  const expectedFrames = Math.min(probed.expectedDurationSec * probed.sampleRate, maxFrames);
  const waveform = new WaveformBuilder(probed.channels, expectedFrames);
  // headers can lie about the length: decoding stops once it passes the limit
  const overLimit = new AbortController();
  const pcm = new Writable({
    write(chunk: Buffer, _encoding, done) {
      waveform.push(chunk);
      if (waveform.frames > maxFrames) overLimit.abort(tooLong(maxDurationSec));
      done();
    },
  });
  try {
    await runFfmpeg(tools, {
      input: { path, format: probed.format },
      inputOptions: ['-nostats'],
      outputs: [
        {
          target: pcm,
          options: ['-map', '0:a:0', '-f', 's16le', '-c:a', 'pcm_s16le', '-ar', String(probed.sampleRate), '-ac', String(probed.channels)],
        },
      ],
      signal: signal ? AbortSignal.any([signal, overLimit.signal]) : overLimit.signal,
      // by the longest audio allowed: what the file claims is no bound
      timeoutMs: deadlineMs(maxDurationSec, 10),
    });
  } catch (error) {
    if (error instanceof DOMException && error.name === 'TimeoutError') {
      throw new AudioRefused('undecodable_audio', 'Decoding this file did not finish in time', undefined, { cause: error });
    }
    if (error instanceof FfmpegError) {
      throw new AudioRefused('undecodable_audio', 'This audio file cannot be decoded', undefined, { cause: error });
    }
    throw error;
  }
  const durationSec = waveform.frames / probed.sampleRate;
  if (waveform.frames === 0) {
    throw new AudioRefused('undecodable_audio', 'This audio file decodes to no sound at all');
  }
  const declared = probed.declaredDurationSec;
  if (declared !== undefined && declared - durationSec > truncationTolerance(declared)) {
    throw new AudioRefused('truncated_audio', 'This audio file ends before its headers say it should: it looks cut off', {
      declaredDurationSec: declared,
      decodedDurationSec: Math.round(durationSec * 1000) / 1000,
    });
  }
  return { durationSec, peaks: waveform.finish() };
}
