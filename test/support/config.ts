import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Config, loadConfig } from '../../functions/local/config.js';

/** Configuration for an app under test: quiet, with a temp dir of its own and no secrets; `env` overrides. */
export async function testConfig(env: Record<string, string> = {}): Promise<{ config: Config; tmpDir: string }> {
  const tmpDir = await mkdtemp(join(tmpdir(), 'segue-test-tmp-'));
  const config = loadConfig({
    LOG_LEVEL: process.env.LOG_LEVEL ?? 'silent',
    TMPDIR: tmpDir,
    SECRETS_DIR: join(tmpDir, 'no-secrets'),
    // suites write far faster than people; the limit has a test of its own
    WRITE_RATE_LIMIT_PER_MINUTE: '0',
    ...env,
  });
  return { config, tmpDir };
}
