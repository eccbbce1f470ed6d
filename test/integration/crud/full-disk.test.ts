import { execFile } from 'node:child_process';
import { mkdtemp, rm, rmdir, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { promisify } from 'node:util';
import { expect } from 'chai';
import { createLogger } from '../../../functions/shared/logger.js';
import { type CrudHarness, expectReadyWithCompleteRenditions, startCrud } from '../../support/crud.js';
import { fixture } from '../../support/fixtures.js';

const run = promisify(execFile);

/**
 * A disk that fills up: TMPDIR on a small tmpfs of its own, which needs root
 * to mount (CI runs as root); elsewhere the suite is skipped, saying why.
 */
describe('a job when the disk it writes to is full', function () {
  this.timeout(180_000);
  let mountPoint: string;
  let harness: CrudHarness;
  const logged: Array<{ msg: string }> = [];

  before(async function () {
    mountPoint = await mkdtemp(join(tmpdir(), 'segue-small-disk-'));
    try {
      await run('mount', ['-t', 'tmpfs', '-o', 'size=48m', 'tmpfs', mountPoint]);
    } catch (error) {
      await rmdir(mountPoint);
      console.warn(`      skipped: a tmpfs could not be mounted (${(error as Error).message.split('\n')[0]})`);
      this.skip();
    }
    const logger = createLogger('info', 'crud-test', { write: (line: string) => logged.push(JSON.parse(line)) });
    harness = await startCrud({ TMPDIR: mountPoint }, undefined, logger);
  });

  after(async () => {
    await harness?.close();
    await run('umount', [mountPoint]).catch(() => undefined);
    await rm(mountPoint, { recursive: true, force: true });
  });

  it('waits, tries again once there is room, and the track ends ready rather than failed', async () => {
    const file = await fixture('longWav');
    const created = await harness.http.post('/tracks').attach('file', file.path, file.filename);
    expect(created.status).to.equal(202);
    // fill what is left, while the ladder is being encoded into it
    const filler = join(mountPoint, 'filler');
    await run('dd', ['if=/dev/zero', `of=${filler}`, 'bs=1M']).catch(() => undefined);
    const started = Date.now();
    while (!logged.some((line) => line.msg === 'the disk is full; trying the job again shortly')) {
      if (Date.now() - started > 60_000) throw new Error(`the job never found the disk full: ${JSON.stringify(logged.map((line) => [line.msg, (line as { err?: { message?: string } }).err?.message]).slice(-6))}`);
      await sleep(100);
    }
    expect((await harness.http.get(`/tracks/${created.body.id}`)).body.status, 'not failed for it').to.equal('processing');
    await rm(filler);
    expect((await stat(mountPoint)).isDirectory()).to.equal(true);

    await harness.crud.processor.whenSettled(created.body.id);
    await expectReadyWithCompleteRenditions(harness, created.body.id, file.durationSec);
  });
});
