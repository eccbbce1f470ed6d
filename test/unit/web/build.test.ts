import { execFile } from 'node:child_process';
import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { expect } from 'chai';
import { buildWeb } from '../../../web/build.js';

const run = promisify(execFile);

describe('buildWeb', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'segue-web-build-'));
    await writeFile(join(dir, 'index.html'), 'the build being served');
  });
  afterEach(() => rm(dir, { recursive: true, force: true }));

  for (const basePath of ['function/web/', '/function/web', '']) {
    it(`refuses the base path "${basePath}" before removing the build being served`, async () => {
      const error = await buildWeb({ outDir: dir, basePath }).catch((caught: unknown) => caught);
      expect((error as Error).message).to.contain('starts and ends with "/"');
      expect(await readdir(dir)).to.deep.equal(['index.html']);
    });
  }

  it('fails `npm run build:web` with exit code 1 when SEGUE_BASE_PATH lacks its slashes', async () => {
    const error = await run(process.execPath, ['--import', 'tsx', 'web/build.ts'], {
      env: { ...process.env, SEGUE_BASE_PATH: 'function/web', SEGUE_GATEWAY_URL: 'http://127.0.0.1:8080' },
    }).catch((caught: unknown) => caught);
    expect((error as { code?: number }).code).to.equal(1);
    expect((error as { stderr: string }).stderr).to.contain('not function/web');
  });
});
