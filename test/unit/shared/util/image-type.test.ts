import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { expect } from 'chai';
import { imageTypeOf } from '../../../../functions/shared/util/image-type.js';
import { fixture } from '../../../support/fixtures.js';
import { mediaTools } from '../../../support/media.js';

const run = promisify(execFile);

describe('imageTypeOf', () => {
  let dir: string;
  /** a 4×4 picture encoded by ffmpeg into `extension`'s format */
  const picture = async (extension: string) => {
    const path = join(dir, `picture.${extension}`);
    await run(mediaTools.ffmpeg, ['-v', 'error', '-nostdin', '-y', '-f', 'lavfi', '-i', 'color=c=red:s=4x4', '-frames:v', '1', path]);
    return readFile(path);
  };

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'segue-images-'));
  });
  after(() => rm(dir, { recursive: true, force: true }));

  for (const [extension, type] of [
    ['jpg', 'image/jpeg'],
    ['png', 'image/png'],
    ['gif', 'image/gif'],
    ['webp', 'image/webp'],
  ] as const) {
    it(`tells a ${extension} file as ${type} by its first bytes`, async () => {
      expect(imageTypeOf(await picture(extension))).to.equal(type);
    });
  }

  it('tells the older GIF87a header too', async () => {
    const gif = await picture('gif');
    gif.write('GIF87a', 0, 'latin1');
    expect(imageTypeOf(gif)).to.equal('image/gif');
  });

  it('keeps nothing else: a BMP, an SVG, a RIFF that is not WebP, or too few bytes', async () => {
    expect(imageTypeOf(await picture('bmp'))).to.equal(undefined);
    expect(imageTypeOf(Buffer.from('<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'))).to.equal(undefined);
    const wav = await readFile((await fixture('oneSecondWav')).path);
    expect(wav.subarray(0, 4).toString('latin1'), 'a WAV is a RIFF file').to.equal('RIFF');
    expect(imageTypeOf(wav)).to.equal(undefined);
    expect(imageTypeOf(new Uint8Array([0xff, 0xd8]))).to.equal(undefined);
  });

  it('reads a view into a larger buffer from where the view starts', async () => {
    const png = await picture('png');
    const larger = Buffer.concat([Buffer.from('padding'), png]);
    expect(imageTypeOf(new Uint8Array(larger.buffer, larger.byteOffset + 7, png.length))).to.equal('image/png');
  });
});
