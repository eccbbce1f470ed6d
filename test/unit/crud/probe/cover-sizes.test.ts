import { execFile } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { expect } from 'chai';
import { type CoverSize, resizeCover } from '../../../../functions/crud/probe/cover-sizes.js';
import { webpSize } from '../../../../functions/crud/probe/webp-size.js';
import { imageTypeOf } from '../../../../functions/shared/util/image-type.js';
import { mediaTools, probeImage } from '../../../support/media.js';

const run = promisify(execFile);

describe('resizeCover', () => {
  let dir: string;
  let workDir: string;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'segue-cover-images-'));
  });
  after(() => rm(dir, { recursive: true, force: true }));
  beforeEach(async () => {
    workDir = await mkdtemp(join(tmpdir(), 'segue-cover-work-'));
  });
  afterEach(() => rm(workDir, { recursive: true, force: true }));

  /** A test picture made by ffmpeg, with detail for the scaler to keep. */
  async function picture(width: number, height: number, extension: 'png' | 'jpg' | 'gif', source = 'testsrc2', filter = 'null') {
    const path = join(dir, `${source}-${filter}-${width}x${height}.${extension}`);
    await run(mediaTools.ffmpeg, [
      ...['-v', 'error', '-nostdin', '-y', '-f', 'lavfi', '-i', `${source}=size=${width}x${height}:rate=1`],
      ...['-vf', filter, '-frames:v', '1', path],
    ]);
    const data = await readFile(path);
    return { mimeType: imageTypeOf(data)!, data };
  }

  async function expectSizes(sizes: CoverSize[], expected: Array<[number, number]>) {
    expect(sizes.map((size) => [size.width, size.height])).to.deep.equal(expected);
    for (const size of sizes) {
      expect(imageTypeOf(size.data)).to.equal('image/webp');
      expect(await probeImage(size.data)).to.deep.equal({ codec_name: 'webp', width: size.width, height: size.height });
    }
  }

  it('fits a large square PNG into 128, 256 and 512 px as WebP', async () => {
    const sizes = await resizeCover(mediaTools, await picture(1400, 1400, 'png'), workDir);
    await expectSizes(sizes, [[128, 128], [256, 256], [512, 512]]);
    expect(sizes[0]!.data.length).to.be.below(sizes[2]!.data.length);
  });

  it('keeps the aspect of a wide JPEG', async () => {
    await expectSizes(await resizeCover(mediaTools, await picture(1000, 600, 'jpg'), workDir), [[128, 77], [256, 154], [512, 307]]);
  });

  it('fits a tall JPEG by its height', async () => {
    await expectSizes(await resizeCover(mediaTools, await picture(300, 900, 'jpg'), workDir), [[43, 128], [85, 256], [171, 512]]);
  });

  it('never enlarges: a 200 px cover gives 128 and its own 200, a 64 px one only 64', async () => {
    await expectSizes(await resizeCover(mediaTools, await picture(200, 200, 'png'), workDir), [[128, 128], [200, 200]]);
    await expectSizes(await resizeCover(mediaTools, await picture(64, 64, 'png'), workDir), [[64, 64]]);
  });

  it('keeps the transparency of a PNG with an alpha channel', async () => {
    const sizes = await resizeCover(mediaTools, await picture(600, 600, 'png', 'testsrc2', 'format=rgba,colorchannelmixer=aa=0.5'), workDir);
    await expectSizes(sizes, [[128, 128], [256, 256], [512, 512]]);
    const path = join(dir, 'alpha.webp');
    await writeFile(path, sizes[0]!.data);
    const { stdout } = await run(mediaTools.ffprobe, ['-v', 'error', '-show_entries', 'stream=pix_fmt', '-of', 'csv=p=0', path]);
    expect(stdout.trim()).to.equal('yuva420p');
  });

  it('takes the first frame of a GIF', async () => {
    await expectSizes(await resizeCover(mediaTools, await picture(300, 300, 'gif'), workDir), [[128, 128], [256, 256], [300, 300]]);
  });

  it('rejects a picture that does not decode, and leaves no file behind', async () => {
    const { data } = await picture(400, 400, 'png');
    const broken = Buffer.concat([data.subarray(0, 60), Buffer.alloc(200, 0x5a)]);
    const error = await resizeCover(mediaTools, { mimeType: 'image/png', data: broken }, workDir).catch((caught: unknown) => caught);
    expect(error).to.be.instanceOf(Error);
    expect(await readdir(workDir)).to.deep.equal([]);
  });

  it('rejects a picture over 4096 × 4096 pixels however few its bytes, without decoding it', async () => {
    const flat = await picture(4100, 4100, 'png', 'color');
    expect(flat.data.length).to.be.below(200_000);
    const error = await resizeCover(mediaTools, flat, workDir).catch((caught: unknown) => caught);
    expect((error as Error).message).to.match(/max pixel count/);
    expect(await readdir(workDir)).to.deep.equal([]);
  });

  it('rejects bytes of a type it has no decoder for', async () => {
    const error = await resizeCover(mediaTools, { mimeType: 'image/svg+xml', data: Buffer.from('<svg/>') }, workDir).catch((caught: unknown) => caught);
    expect((error as Error).message).to.match(/no decoder/);
  });
});

describe('webpSize', () => {
  it('is undefined for bytes that are not WebP', () => {
    expect(webpSize(Buffer.from('RIFF\0\0\0\0WAVEfmt '.padEnd(40, ' ')))).to.equal(undefined);
    expect(webpSize(Buffer.alloc(10))).to.equal(undefined);
  });
});
