import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { expect } from 'chai';
import { FfmpegError } from '../../../../functions/crud/media/ffmpeg.js';
import { probeAudio } from '../../../../functions/crud/probe/probe-audio.js';
import { AudioRefused } from '../../../../functions/crud/probe/audio-refused.js';
import { HttpError } from '../../../../functions/shared/http/http-error.js';
import { mediaTools } from '../../../support/media.js';

const run = promisify(execFile);

/** Two seconds of a tone at `rate`, bit-exact so every run makes the same bytes. */
const tone = (rate: number, frequency = 440) => ['-f', 'lavfi', '-i', `sine=f=${frequency}:d=2:r=${rate}`];

describe('probeAudio', () => {
  let dir: string;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'segue-probe-test-'));
  });
  after(() => rm(dir, { recursive: true, force: true }));

  async function make(filename: string, args: string[]) {
    const path = join(dir, filename);
    await run(mediaTools.ffmpeg, ['-v', 'error', '-nostdin', '-y', ...args, '-map_metadata', '-1', '-fflags', '+bitexact', path]);
    return path;
  }

  /** A 16-bit mono WAV made by ffmpeg, then one field of its header rewritten. */
  async function wavWithHeader(filename: string, edit: (wav: Buffer, fmt: number) => void) {
    const wav = await readFile(await make(`source-${filename}`, [...tone(8000), '-c:a', 'pcm_s16le']));
    edit(wav, wav.indexOf('fmt ') + 8);
    const path = join(dir, filename);
    await writeFile(path, wav);
    return path;
  }

  const refusal = (path: string) =>
    probeAudio(mediaTools, path).then(
      () => expect.fail('the file was taken as audio'),
      (error: unknown) => {
        expect(error).to.be.instanceOf(AudioRefused);
        // as the client is answered
        return HttpError.of(error as AudioRefused);
      },
    );

  it('refuses text named .mp3 as not audio rather than as broken audio', async () => {
    const path = join(dir, 'notes.mp3');
    await writeFile(path, 'These are meeting notes, not a song.\n'.repeat(200));
    const error = await refusal(path);
    expect(error).to.include({ status: 415, code: 'unsupported_media_type' });
    expect(error.details).to.deep.equal({});
  });

  it('reads a Sun AU file, which the tag reader does not know, from ffprobe alone', async () => {
    const probed = await probeAudio(mediaTools, await make('tone.au', [...tone(8000), '-c:a', 'pcm_s16be']));
    expect(probed).to.include({ format: 'au', container: 'au', codec: 'pcm_s16be', mimeType: 'audio/basic', sampleRate: 8000, channels: 1 });
    expect(probed.bitrate, 'from the stream: 8000 Hz × 16 bit').to.equal(128_000);
    expect(probed.declaredDurationSec).to.be.closeTo(2, 0.01);
    expect(probed.tags).to.deep.equal({});
  });

  it('declares no length for raw AC-3, whose length ffprobe only guesses from the bit rate', async () => {
    const probed = await probeAudio(mediaTools, await make('tone.ac3', [...tone(48000), '-c:a', 'ac3', '-b:a', '96k']));
    expect(probed).to.include({ format: 'ac3', codec: 'ac3', sampleRate: 48000, bitrate: 96_000 });
    expect(probed.declaredDurationSec).to.equal(undefined);
    expect(probed.expectedDurationSec, 'the guess still sizes the work').to.be.closeTo(2, 0.1);
  });

  it('declares no length for Matroska written to a pipe, whose header never got one', async () => {
    const path = join(dir, 'piped.mka');
    const { stdout } = await run(mediaTools.ffmpeg, ['-v', 'error', '-nostdin', ...tone(8000), '-c:a', 'pcm_s16le', '-fflags', '+bitexact', '-f', 'matroska', '-'], {
      encoding: 'buffer',
    });
    await writeFile(path, stdout);
    const probed = await probeAudio(mediaTools, path);
    expect(probed.format).to.equal('matroska,webm');
    expect(probed.declaredDurationSec).to.equal(undefined);
    expect(probed.expectedDurationSec).to.be.closeTo(2, 0.1);
  });

  it('reads the first audio stream of a file that carries a video stream and two audio streams', async () => {
    const path = await make('several.mkv', [
      ...['-f', 'lavfi', '-i', 'testsrc=size=32x32:rate=5:d=2', ...tone(8000), ...tone(48000, 660)],
      ...['-map', '0:v', '-map', '1:a', '-map', '2:a', '-c:v', 'ffv1', '-c:a', 'pcm_s16le', '-ac:a:1', '2'],
    ]);
    expect(await probeAudio(mediaTools, path)).to.include({ format: 'matroska,webm', sampleRate: 8000, channels: 1 });
  });

  it('refuses a Matroska file with only a video stream as not audio (415), naming the container', async () => {
    const error = await refusal(await make('silent-film.mkv', ['-f', 'lavfi', '-i', 'testsrc=size=32x32:rate=5:d=2', '-c:v', 'ffv1']));
    expect(error).to.include({ status: 415, code: 'unsupported_media_type', message: 'This file has no audio stream' });
    expect(error.details).to.deep.equal({ detected: 'matroska,webm' });
  });

  it('refuses audio sampled at 500 Hz, naming the rate it found', async () => {
    const error = await refusal(await make('low.wav', [...tone(500), '-c:a', 'pcm_s16le']));
    expect(error).to.include({ status: 422, code: 'undecodable_audio' });
    expect(error.details).to.deep.equal({ sampleRate: 500, channels: 1 });
  });

  it('refuses a WAV whose header claims 64 channels, naming the count', async () => {
    const error = await refusal(await wavWithHeader('many.wav', (wav, fmt) => wav.writeUInt16LE(64, fmt + 2)));
    expect(error).to.include({ status: 422, code: 'undecodable_audio' });
    expect(error.details).to.deep.equal({ sampleRate: 8000, channels: 64 });
  });

  it('refuses a WAV whose header claims no channels, keeping what ffprobe said for the log', async () => {
    const error = await refusal(await wavWithHeader('none.wav', (wav, fmt) => wav.writeUInt16LE(0, fmt + 2)));
    expect(error).to.include({ status: 422, code: 'undecodable_audio' });
    expect(error.cause).to.be.instanceOf(FfmpegError);
  });

  it('refuses a FLAC whose stream info is zeroed, keeping what the tag reader said for the log', async () => {
    const flac = await readFile(await make('source.flac', [...tone(8000), '-c:a', 'flac']));
    // the "fLaC" marker and the first block header stay, everything after is zero
    flac.fill(0, 8);
    const path = join(dir, 'zeroed.flac');
    await writeFile(path, flac);
    const error = await refusal(path);
    expect(error).to.include({ status: 422, code: 'undecodable_audio' });
    expect(String(error.cause)).to.match(/FLAC/);
  });
});
