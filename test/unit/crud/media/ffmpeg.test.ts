import { copyFile, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { Writable } from 'node:stream';
import { expect } from 'chai';
import { FfmpegError, probeMedia, runFfmpeg, runFfmpegOnImage } from '../../../../functions/crud/media/ffmpeg.js';
import { resolveMediaTools } from '../../../../functions/crud/media/media-tools.js';
import { fixture } from '../../../support/fixtures.js';

const tools = resolveMediaTools({});
const run = promisify(execFile);

describe('the ffmpeg wrapper', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'segue-ffmpeg-test-'));
  });
  afterEach(() => rm(dir, { recursive: true, force: true }));

  it('rejects with the tail of stderr when ffmpeg fails', async () => {
    const error = await runFfmpeg(tools, {
      input: { path: join(dir, 'missing.wav'), format: 'wav' },
      outputs: [{ target: join(dir, 'out.m4a'), options: [] }],
      timeoutMs: 30_000,
    }).catch((caught: unknown) => caught);
    expect(error).to.be.instanceOf(FfmpegError);
    expect((error as Error).message).to.match(/No such file or directory/);
  });

  it('kills ffmpeg when the signal aborts, rejecting with its reason', async () => {
    const file = await fixture('longWav');
    const controller = new AbortController();
    const reason = new Error('stop now');
    const started = Date.now();
    setTimeout(() => controller.abort(reason), 200);
    const error = await runFfmpeg(tools, {
      input: { path: file.path, format: 'wav' },
      outputs: [{ target: join(dir, 'out.m4a'), options: ['-c:a', 'aac', '-b:a', '256k'] }],
      signal: controller.signal,
      timeoutMs: 30_000,
    }).catch((caught: unknown) => caught);
    expect(error).to.equal(reason);
    expect(Date.now() - started).to.be.below(2000);
  });

  it('kills ffmpeg when the signal aborts before the process has started', async () => {
    const file = await fixture('longWav');
    const controller = new AbortController();
    const reason = new Error('stop before you start');
    const running = runFfmpeg(tools, {
      input: { path: file.path, format: 'wav' },
      outputs: [{ target: join(dir, 'out.wav'), options: ['-c:a', 'pcm_s16le'] }],
      signal: controller.signal,
      timeoutMs: 30_000,
    });
    controller.abort(reason);
    expect(await running.catch((caught: unknown) => caught)).to.equal(reason);
  });

  it('kills ffmpeg at its deadline, rejecting with a TimeoutError', async () => {
    const file = await fixture('longWav');
    const started = Date.now();
    const error = await runFfmpeg(tools, {
      input: { path: file.path, format: 'wav' },
      outputs: [{ target: join(dir, 'out.m4a'), options: ['-c:a', 'aac', '-b:a', '256k'] }],
      timeoutMs: 200,
    }).catch((caught: unknown) => caught);
    expect((error as Error).name).to.equal('TimeoutError');
    expect(Date.now() - started).to.be.below(2000);
  });

  it('kills ffprobe at its deadline: a file that never gives its first byte', async () => {
    const fifo = join(dir, 'never-written');
    await run('mkfifo', [fifo]);
    const started = Date.now();
    const error = await probeMedia(tools, fifo, 300).catch((caught: unknown) => caught);
    expect(error).to.be.instanceOf(FfmpegError);
    expect((error as Error).message).to.contain('did not finish within 300 ms');
    expect(Date.now() - started).to.be.below(2000);
    const { stdout } = await run('ps', ['-eo', 'args']);
    expect(stdout, 'no ffprobe is left waiting on it').to.not.contain(fifo);
  });

  it('probes streams and container with ffprobe', async () => {
    const file = await fixture('hiresFlac');
    const data = await probeMedia(tools, file.path);
    expect(data.format.format_name).to.equal('flac');
    expect(data.streams[0]).to.include({ codec_type: 'audio', sample_rate: 48000, channels: 2 });
  });

  it('names a misconfigured ffprobe whose output is not ffprobe JSON, rather than crashing on it', async () => {
    const file = await fixture('oneSecondWav');
    // FFPROBE_PATH pointing at the wrong program: it runs and exits 0, but prints its arguments
    const error = await probeMedia({ ...tools, ffprobe: 'echo' }, file.path).catch((caught: unknown) => caught);
    expect(error).to.be.instanceOf(FfmpegError);
    expect((error as Error).message).to.contain('ffprobe gave output that is not what was asked for');
  });

  it('will not probe a file as a playlist, so nothing it names is opened', async () => {
    // a real file: were the playlist followed, the probe would succeed, so only the whitelist can fail it
    const named = join(dir, 'named.wav');
    await copyFile((await fixture('oneSecondWav')).path, named);
    const playlist = join(dir, 'upload');
    await writeFile(playlist, `#EXTM3U\n#EXT-X-TARGETDURATION:3\n#EXTINF:3.0,\n${named}\n#EXT-X-ENDLIST\n`);
    const error = await probeMedia(tools, playlist).catch((caught: unknown) => caught);
    expect(error).to.be.instanceOf(FfmpegError);
  });

  it('reads only the demuxer it is told, whatever the file really is', async () => {
    const file = await fixture('hiresFlac');
    const error = await runFfmpeg(tools, {
      input: { path: file.path, format: 'mp3' },
      outputs: [{ target: join(dir, 'out.wav'), options: [] }],
      timeoutMs: 30_000,
    }).catch((caught: unknown) => caught);
    expect(error).to.be.instanceOf(FfmpegError);
  });

  it('takes a path that looks like a protocol or an option as a plain file name', async () => {
    const file = await fixture('hiresFlac');
    const odd = join(dir, 'http:-i');
    await copyFile(file.path, odd);
    const data = await probeMedia(tools, odd);
    expect(data.format.format_name).to.equal('flac');
  });

  describe('on a picture given on stdin', () => {
    const convert = async (demuxer: string, outputArgs: string[], timeoutMs = 30_000) =>
      runFfmpegOnImage(tools, { image: await readFile((await fixture('cover')).path), demuxer, maxPixels: 64 * 64, outputArgs, timeoutMs });

    it('writes what it is asked for', async () => {
      const target = join(dir, 'out.webp');
      await convert('png_pipe', ['-c:v', 'libwebp', '-f', 'webp', `file:${target}`]);
      expect((await readFile(target)).toString('latin1', 8, 12)).to.equal('WEBP');
    });

    it('reads only the demuxer it is told, whatever the bytes really are', async () => {
      const error = await convert('jpeg_pipe', ['-f', 'null', '-']).catch((caught: unknown) => caught);
      expect(error).to.be.instanceOf(FfmpegError);
    });

    it('kills ffmpeg at its deadline', async () => {
      const error = await convert('png_pipe', ['-f', 'null', '-'], 1).catch((caught: unknown) => caught);
      expect((error as Error).message).to.match(/did not finish within 1 ms/);
    });
  });
  it('ends a run into a stream when ffmpeg exits, even if that comes well after its output has ended (a busy machine)', async () => {
    // ffmpeg itself, but its process lingers 300 ms after its output is closed, as one may on a loaded machine
    const lingering = join(dir, 'lingering-ffmpeg');
    await writeFile(lingering, `#!/bin/sh\n"${tools.ffmpeg}" "$@"\nstatus=$?\nexec 1>&-\nsleep 0.3\nexit $status\n`, { mode: 0o755 });
    const file = await fixture('oneSecondWav');
    let bytes = 0;
    const pcm = new Writable({
      write(chunk: Buffer, _encoding, done) {
        bytes += chunk.length;
        done();
      },
    });
    await runFfmpeg({ ...tools, ffmpeg: lingering }, {
      input: { path: file.path, format: 'wav' },
      outputs: [{ target: pcm, options: ['-f', 's16le', '-c:a', 'pcm_s16le', '-ac', '1', '-ar', '8000'] }],
      timeoutMs: 30_000,
    });
    expect(bytes, 'every sample reached the stream').to.equal(8000 * 2);
  });

});

describe('resolveMediaTools', () => {
  it('prefers configured paths, and finds ffprobe beside a configured ffmpeg', async () => {
    expect(resolveMediaTools({ ffmpegPath: '/opt/ff/ffmpeg', ffprobePath: '/opt/fp/ffprobe' })).to.deep.equal({
      ffmpeg: '/opt/ff/ffmpeg',
      ffprobe: '/opt/fp/ffprobe',
    });
    const dir = await mkdtemp(join(tmpdir(), 'segue-tools-'));
    try {
      for (const tool of ['ffmpeg', 'ffprobe']) await writeFile(join(dir, tool), '', { mode: 0o755 });
      expect(resolveMediaTools({ ffmpegPath: join(dir, 'ffmpeg') }).ffprobe).to.equal(join(dir, 'ffprobe'));
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('falls back to the binaries shipped in npm packages when nothing is on PATH', () => {
    const path = process.env.PATH;
    process.env.PATH = '';
    try {
      const bundled = resolveMediaTools({});
      expect(bundled.ffmpeg).to.contain('@ffmpeg-installer');
      expect(bundled.ffprobe).to.contain('@ffprobe-installer');
    } finally {
      process.env.PATH = path;
    }
  });
});
