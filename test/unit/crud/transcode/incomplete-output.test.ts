import { execFile } from 'node:child_process';
import { mkdtemp, readFile, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { expect } from 'chai';
import { IncompleteOutputError, checkWholeFragment } from '../../../../functions/crud/transcode/incomplete-output.js';
import { mediaTools } from '../../../support/media.js';

const run = promisify(execFile);

describe('checkWholeFragment', () => {
  let dir: string;
  let init: Buffer;
  let media: Buffer;

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'segue-fragments-'));
    await run(mediaTools.ffmpeg, [
      ...['-v', 'error', '-f', 'lavfi', '-i', 'sine=d=8', '-c:a', 'aac', '-f', 'hls', '-hls_time', '6'],
      ...['-hls_segment_type', 'fmp4', '-hls_fmp4_init_filename', 'init.mp4', '-hls_segment_filename', join(dir, '%06d.m4s'), join(dir, 'out.m3u8')],
    ]);
    init = await readFile(join(dir, 'init.mp4'));
    media = await readFile(join(dir, (await readdir(dir)).find((name) => name.endsWith('.m4s'))!));
  });
  after(() => rm(dir, { recursive: true, force: true }));

  it('passes the init and media segments ffmpeg writes', () => {
    expect(() => checkWholeFragment(init, 'init', 'init.mp4')).to.not.throw();
    expect(() => checkWholeFragment(media, 'media', '000000.m4s')).to.not.throw();
  });

  it('refuses an empty file, a cut one, and one of the other kind', () => {
    expect(() => checkWholeFragment(Buffer.alloc(0), 'media', 'empty')).to.throw(IncompleteOutputError);
    expect(() => checkWholeFragment(media.subarray(0, media.length - 100), 'media', 'cut')).to.throw(IncompleteOutputError, 'cut');
    expect(() => checkWholeFragment(init, 'media', 'init as media')).to.throw(IncompleteOutputError);
  });
});
