import { existsSync } from 'node:fs';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import { buildOnce, runTool } from '../../../functions/local/build-once.js';

const SH = { command: 'sh', missing: 'install a POSIX shell' };

describe('buildOnce', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'segue-build-once-'));
  });
  afterEach(() => rm(dir, { recursive: true, force: true }));

  it('builds into a partial file with the tool found on PATH, then moves it into place', async () => {
    const artifact = join(dir, 'nested/tools/artifact.txt');
    const built = await buildOnce(artifact, SH, async (sh, partial) => {
      expect(sh).to.match(/\/sh$/);
      await runTool(sh, ['-c', 'printf built > "$1"', 'sh', partial]);
      expect(existsSync(artifact), 'not in place until complete').to.equal(false);
    });
    expect(built).to.equal(artifact);
    expect(await readFile(artifact, 'utf8')).to.equal('built');
    expect(await readdir(join(dir, 'nested/tools'))).to.deep.equal(['artifact.txt']);
  });

  it('answers an artifact already built without building again', async () => {
    const artifact = join(dir, 'artifact.txt');
    await writeFile(artifact, 'cached');
    const built = await buildOnce(artifact, SH, () => expect.fail('built a second time'));
    expect(built).to.equal(artifact);
    expect(await readFile(artifact, 'utf8')).to.equal('cached');
  });

  it('says what to install when the build tool is not on PATH', async () => {
    const missing = { command: 'segue-no-such-tool', missing: 'install segue-no-such-tool 1.2 or later' };
    const error = await buildOnce(join(dir, 'artifact'), missing, () => expect.fail('built without its tool')).catch((caught: unknown) => caught);
    expect((error as Error).message).to.equal(missing.missing);
  });

  it('leaves nothing behind when the build fails halfway', async () => {
    const artifact = join(dir, 'artifact.txt');
    const error = await buildOnce(artifact, SH, async (sh, partial) => {
      await runTool(sh, ['-c', 'printf half > "$1"; exit 3', 'sh', partial]);
    }).catch((caught: unknown) => caught);
    expect((error as { code?: number }).code).to.equal(3);
    expect(await readdir(dir)).to.deep.equal([]);
  });
});
