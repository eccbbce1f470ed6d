import type { Loudness } from '../../core/schemas/track.js';
import type { StagedMedia } from '../media/audio-formats.js';
import { deadlineMs, runFfmpeg } from '../media/ffmpeg.js';
import type { MediaTools } from '../media/media-tools.js';
import { parseEbur128Summary } from './loudness.js';

/**
 * EBU R128 integrated loudness and true peak of the source. True peak needs
 * 4x oversampling, which makes this the costly part of the analysis, so it
 * runs beside the ladder rather than before the upload is accepted.
 */
export async function measureLoudness(tools: MediaTools, input: StagedMedia, durationSec: number, signal: AbortSignal): Promise<Loudness> {
  const { stderr } = await runFfmpeg(tools, {
    input,
    timeoutMs: deadlineMs(durationSec, 1),
    inputOptions: ['-v', 'info', '-nostats'],
    outputs: [{ target: '-', options: ['-map', '0:a:0', '-af', 'ebur128=peak=true:framelog=verbose', '-f', 'null'] }],
    signal,
  });
  return parseEbur128Summary(stderr);
}
