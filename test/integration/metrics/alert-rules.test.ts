import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { expect } from 'chai';
import which from 'which';

const run = promisify(execFile);

describe('the example Prometheus alert rules', () => {
  it('fire for a stuck queue and slow routes, and not for slow uploads or downloads (promtool test rules)', async function () {
    const promtool = which.sync('promtool', { nothrow: true });
    if (!promtool) {
      console.warn('      skipped: promtool is not on PATH (Debian: the prometheus package)');
      this.skip();
    }
    const { stdout } = await run(promtool, ['test', 'rules', 'deploy/prometheus/alerts.test.yml']);
    expect(stdout).to.contain('SUCCESS');
  });
});
