import type { Writable } from 'node:stream';
import ffmpeg, { type FfprobeData } from 'fluent-ffmpeg';
import type { MediaTools } from './media-tools.js';

export type { FfprobeData };

/** The only module that runs ffmpeg or ffprobe; fluent-ffmpeg stays behind it. */

export interface FfmpegOutput {
  target: string | Writable;
  options: string[];
}

export interface FfmpegRun {
  input: string;
  inputOptions?: string[];
  complexFilter?: string;
  outputs: FfmpegOutput[];
  signal?: AbortSignal;
  timeoutMs?: number;
}

export class FfmpegError extends Error {
  override name = 'FfmpegError';
  constructor(
    message: string,
    readonly stderr: string,
  ) {
    super(message);
  }
}

const STDERR_LINES_KEPT = 300;

function lastLines(stderr: string, count: number) {
  return stderr.trim().split('\n').slice(-count).join('\n');
}

/** Resolves with ffmpeg's stderr once it exits 0; rejects with the tail of stderr otherwise. */
export function runFfmpeg(tools: MediaTools, run: FfmpegRun): Promise<{ stderr: string }> {
  const signals = [run.signal, run.timeoutMs ? AbortSignal.timeout(run.timeoutMs) : undefined].filter(
    (signal): signal is AbortSignal => signal !== undefined,
  );
  const signal = signals.length > 0 ? AbortSignal.any(signals) : undefined;
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const command = ffmpeg({ stdoutLines: STDERR_LINES_KEPT })
      .setFfmpegPath(tools.ffmpeg)
      .input(run.input)
      .inputOptions(['-nostdin', '-hide_banner', ...(run.inputOptions ?? [])]);
    if (run.complexFilter) command.complexFilter(run.complexFilter);
    for (const output of run.outputs) command.output(output.target).outputOptions(output.options);

    const onAbort = () => command.kill('SIGKILL');
    signal?.addEventListener('abort', onAbort, { once: true });
    command.on('end', (_stdout: string | null, stderr: string | null) => {
      signal?.removeEventListener('abort', onAbort);
      resolve({ stderr: stderr ?? '' });
    });
    command.on('error', (error: Error, _stdout: string | null, stderr: string | null) => {
      signal?.removeEventListener('abort', onAbort);
      if (signal?.aborted) return reject(signal.reason);
      const tail = lastLines(stderr ?? '', 8);
      reject(new FfmpegError(`ffmpeg failed: ${error.message}${tail ? `\n${tail}` : ''}`, stderr ?? ''));
    });
    command.run();
  });
}

/** ffprobe's view of a file: its streams and container; rejects when ffprobe cannot open it. */
export function probeMedia(tools: MediaTools, path: string, timeoutMs = 60_000): Promise<FfprobeData> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new FfmpegError('ffprobe timed out', '')), timeoutMs);
    ffmpeg(path)
      .setFfprobePath(tools.ffprobe)
      .ffprobe((error: Error | null, data: FfprobeData) => {
        clearTimeout(timer);
        if (error) reject(new FfmpegError(`ffprobe failed: ${error.message}`, error.message));
        else resolve(data);
      });
  });
}
