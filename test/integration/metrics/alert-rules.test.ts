import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { expect } from 'chai';
import which from 'which';
import { REPO } from '../../support/openfaas.js';

const run = promisify(execFile);
/** where scripts/promtool.sh (run before `npm test`) leaves it */
const CACHED = join(REPO, '.cache/prometheus/promtool');

describe('the example Prometheus alert rules', () => {
  it('fire for a stuck queue and slow routes, and not for slow uploads or downloads (promtool test rules)', async function () {
    const promtool = existsSync(CACHED) ? CACHED : which.sync('promtool', { nothrow: true });
    if (!promtool) {
      console.warn('      skipped: promtool is not there (bash scripts/promtool.sh fetches it on Debian)');
      this.skip();
    }
    const { stdout } = await run(promtool, ['test', 'rules', 'deploy/prometheus/alerts.test.yml'], { cwd: REPO });
    expect(stdout).to.contain('SUCCESS');
  });
});
