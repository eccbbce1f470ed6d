import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { promisify } from 'node:util';
import { expect } from 'chai';
import { type GatewayHarness, startGateway } from '../../support/gateway.js';

const run = promisify(execFile);

/** Installed by `npm run contract:setup` (CI does it): schemathesis, from PyPI, in a virtualenv of its own. */
const SCHEMATHESIS = '.cache/schemathesis/bin/schemathesis';
const CONFIG = 'test/contract/schemathesis.toml';
/** How a tus request's bytes are sent: schemathesis knows no serializer for application/offset+octet-stream. */
const HOOKS = 'test/contract/hooks.py';

describe('the OpenAPI document, against the running service (schemathesis --checks all)', function () {
  this.timeout(300_000);
  let harness: GatewayHarness;

  before(async function () {
    if (!existsSync(SCHEMATHESIS)) {
      console.warn(`      skipped: ${SCHEMATHESIS} is not there; npm run contract:setup installs it`);
      this.skip();
    }
    // every write it generates is counted otherwise, and most of its cases would be 429s
    harness = await startGateway({ WRITE_RATE_LIMIT_PER_MINUTE: '0' });
  });
  after(() => harness?.close());

  it('finds no request the service answers other than its document says', async () => {
    const args = [
      ...['--config-file', CONFIG, 'run', `${harness.origin}/function/crud/openapi.json`, '--url', harness.origin],
      // the same cases every run, so a failure reproduces
      ...['--checks', 'all', '--max-examples', '50', '--seed', '1'],
    ];
    const outcome = await run(SCHEMATHESIS, args, { env: { ...process.env, NO_COLOR: '1', SCHEMATHESIS_HOOKS: HOOKS }, maxBuffer: 16 * 1024 * 1024 }).then(
      ({ stdout }) => ({ code: 0, output: stdout }),
      (error: { code?: number; stdout?: string; stderr?: string }) => ({ code: error.code ?? -1, output: `${error.stdout ?? ''}${error.stderr ?? ''}` }),
    );
    expect(outcome.code, outcome.output).to.equal(0);
    expect(outcome.output).to.match(/cases:\s+\d+ generated/);
  });
});
