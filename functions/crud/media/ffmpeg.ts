// The only module that runs ffmpeg or ffprobe; fluent-ffmpeg stays behind it.

import { execFile, spawn } from 'node:child_process';
import { resolve } from 'node:path';
import { Writable } from 'node:stream';
import { finished } from 'node:stream/promises';
import ffmpeg from 'fluent-ffmpeg';
import * as z from 'zod';
import { AUDIO_DEMUXERS, AUDIO_FORMATS, type StagedMedia } from './audio-formats.js';
import type { MediaTools } from './media-tools.js';

export interface FfmpegOutput {
  target: string | Writable;
  options: string[];
}

export interface FfmpegRun {
  input: StagedMedia;
  inputOptions?: string[];
  outputs: FfmpegOutput[];
  signal?: AbortSignal;
  /** every run has a deadline: ffmpeg is killed at it, and the run rejects with a TimeoutError */
  timeoutMs: number;
}

/**
 * When a run on `durationSec` of audio is given up: a minute to start, plus the
 * audio's length played `minSpeed` times faster than real time. A whole ingest
 * (every rung encoded, the file decoded and its loudness measured, all at once)
 * runs many times faster than real time (`npm run bench:ingest` prints how long
 * five minutes of audio take): slower than `minSpeed`, ffmpeg is stuck or
 * chewing on something hostile.
 */
export const deadlineMs = (durationSec: number, minSpeed: number) => 60_000 + Math.ceil((durationSec * 1000) / minSpeed);

/** What ffmpeg or ffprobe said when it failed: for the log, never for a client. */
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

/**
 * Reading is confined to the one staged file: only the `file` protocol, only
 * the demuxer the probe identified (so a playlist or concat list named `.mp3`
 * is never followed), and the path given as a `file:` URL, so no part of it is
 * read as a protocol or an option.
 */
const confinedInput = (path: string, demuxers: string) => ({
  options: ['-protocol_whitelist', 'file', '-format_whitelist', demuxers],
  url: `file:${resolve(path)}`,
});

/**
 * fluent-ffmpeg takes an output stream's 'close' as a sign the run is over:
 * if ffmpeg has not exited 20 ms later, as on a busy machine, it reports a
 * failure although ffmpeg succeeded. A stream is handed to it behind a relay
 * that never emits 'close', so only ffmpeg's exit ends the run.
 */
function relayWithoutClose(target: Writable): Writable {
  const relay = new Writable({
    emitClose: false,
    write: (chunk: Buffer, encoding, done) => void target.write(chunk, encoding, done),
    final: (done) => void target.end(() => done()),
  });
  target.on('error', (error) => relay.destroy(error));
  return relay;
}

/** Resolves with ffmpeg's stderr once it exits 0 and its output streams have taken every byte; rejects with the tail of stderr otherwise. */
export function runFfmpeg(tools: MediaTools, run: FfmpegRun): Promise<{ stderr: string }> {
  const deadline = AbortSignal.timeout(run.timeoutMs);
  const signal = run.signal ? AbortSignal.any([run.signal, deadline]) : deadline;
  const { demuxer } = AUDIO_FORMATS[run.input.format];
  const input = confinedInput(run.input.path, demuxer);
  return new Promise((resolvePromise, reject) => {
    if (signal.aborted) return reject(signal.reason);
    const command = ffmpeg({ stdoutLines: STDERR_LINES_KEPT })
      .setFfmpegPath(tools.ffmpeg)
      .input(input.url)
      .inputOptions(['-nostdin', '-hide_banner', ...input.options, '-f', demuxer, ...(run.inputOptions ?? [])]);
    const relays: Writable[] = [];
    for (const { target, options } of run.outputs) {
      const relay = typeof target === 'string' ? undefined : relayWithoutClose(target);
      if (relay) relays.push(relay);
      command.output(relay ?? target).outputOptions(options);
    }

    const onAbort = () => command.kill('SIGKILL');
    signal.addEventListener('abort', onAbort, { once: true });
    // fluent-ffmpeg spawns only once it has prepared, a tick or more later: an abort before then had no process to kill
    command.on('start', () => {
      if (signal.aborted) onAbort();
    });
    command.on('end', (_stdout: string | null, stderr: string | null) => {
      signal.removeEventListener('abort', onAbort);
      // the deadline and the caller's signal still hold while the last bytes reach a stream
      Promise.all(relays.map((relay) => finished(relay, { signal }))).then(
        () => resolvePromise({ stderr: stderr ?? '' }),
        (error: unknown) => reject(signal.aborted ? signal.reason : error),
      );
    });
    command.on('error', (error: Error, _stdout: string | null, stderr: string | null) => {
      signal.removeEventListener('abort', onAbort);
      if (signal.aborted) return reject(signal.reason);
      const tail = lastLines(stderr ?? '', 8);
      reject(new FfmpegError(`ffmpeg failed: ${error.message}${tail ? `\n${tail}` : ''}`, stderr ?? ''));
    });
    command.run();
  });
}

export interface ImageRun {
  /** the picture's bytes, given to ffmpeg on stdin: no path or name of the client's ever reaches it */
  image: Uint8Array;
  /** the demuxer for the type its bytes were sniffed as, so ffmpeg never guesses what they are */
  demuxer: string;
  /** pictures with more pixels are refused by the decoder before it allocates them */
  maxPixels: number;
  /** the output options and `file:` targets, after the input */
  outputArgs: string[];
  /** ffmpeg is killed at it, and the run rejects */
  timeoutMs: number;
}

/** Decodes one picture read from stdin and writes what `outputArgs` asks for; rejects with the tail of stderr. */
export function runFfmpegOnImage(tools: MediaTools, run: ImageRun): Promise<void> {
  const args = [
    ...['-nostdin', '-hide_banner', '-v', 'error'],
    ...['-protocol_whitelist', 'pipe', '-format_whitelist', run.demuxer, '-max_pixels', String(run.maxPixels)],
    ...['-f', run.demuxer, '-i', 'pipe:0'],
    ...run.outputArgs,
  ];
  return new Promise((resolvePromise, reject) => {
    const child = spawn(tools.ffmpeg, args, { stdio: ['pipe', 'ignore', 'pipe'], timeout: run.timeoutMs, killSignal: 'SIGKILL' });
    let stderr = '';
    child.stderr.setEncoding('utf8').on('data', (text: string) => (stderr = lastLines(stderr + text, STDERR_LINES_KEPT)));
    // ffmpeg may stop reading early (a broken picture): the rest of the bytes have nowhere to go
    child.stdin.on('error', () => undefined);
    child.stdin.end(run.image);
    child.on('error', (error) => reject(new FfmpegError(`ffmpeg could not be started: ${error.message}`, stderr)));
    child.on('close', (code, signal) => {
      if (code === 0) return resolvePromise();
      const reason = signal === 'SIGKILL' ? `ffmpeg did not finish within ${run.timeoutMs} ms` : `ffmpeg exited with ${code ?? signal}`;
      reject(new FfmpegError(`${reason}\n${lastLines(stderr, 8)}`, stderr));
    });
  });
}

/** ffprobe's JSON numbers come as strings, and as "N/A" when unknown. */
const finite = z.preprocess((value) => {
  const number = Number(value);
  return value !== undefined && value !== null && value !== '' && Number.isFinite(number) ? number : undefined;
}, z.number().optional());

const ProbeOutputSchema = z.object({
  streams: z
    .array(
      z.object({
        index: z.number().int().nonnegative(),
        codec_type: z.string().optional(),
        codec_name: z.string().optional(),
        disposition: z.object({ attached_pic: finite }).optional(),
        tags: z.record(z.string(), z.string()).optional(),
        sample_rate: finite,
        channels: finite,
        bits_per_raw_sample: finite,
        bit_rate: finite,
      }),
    )
    .default([]),
  format: z.object({
    format_name: z.string().optional(),
    duration: finite,
    bit_rate: finite,
  }),
});

/** ffprobe's view of a file: its container and streams. */
export type ProbeOutput = z.infer<typeof ProbeOutputSchema>;

/**
 * ffprobe's view of a staged file, read as JSON (its key=value text lets a
 * tag's value spell out keys of its own). Rejects when ffprobe cannot open the
 * file with one of the audio demuxers, and kills it at `timeoutMs`.
 */
export function probeMedia(tools: MediaTools, path: string, timeoutMs = 60_000): Promise<ProbeOutput> {
  const input = confinedInput(path, AUDIO_DEMUXERS);
  const args = ['-v', 'error', '-hide_banner', ...input.options, '-of', 'json', '-show_format', '-show_streams', input.url];
  return new Promise((resolvePromise, reject) => {
    execFile(
      tools.ffprobe,
      args,
      { timeout: timeoutMs, killSignal: 'SIGKILL', maxBuffer: 8 * 1024 * 1024 },
      (error, stdout, stderr) => {
        if (error) {
          const reason = error.killed ? `ffprobe did not finish within ${timeoutMs} ms` : 'ffprobe could not read the file';
          return reject(new FfmpegError(reason, stderr));
        }
        try {
          resolvePromise(ProbeOutputSchema.parse(JSON.parse(stdout)));
        } catch (parseError) {
          reject(new FfmpegError(`ffprobe gave output that is not what was asked for: ${(parseError as Error).message}`, stderr));
        }
      },
    );
  });
}
