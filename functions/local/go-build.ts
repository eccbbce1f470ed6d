import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, rename, rm } from 'node:fs/promises';
import { dirname } from 'node:path';
import { promisify } from 'node:util';
import which from 'which';

export const runGo = promisify(execFile);

/** Static binaries, so a cached build runs wherever the cache is copied. */
export const GO_ENV = { ...process.env, CGO_ENABLED: '0' };

/**
 * Builds a Go binary at `binary` the first time it is asked for; later calls
 * answer the cached one. `build` writes to the path it is given, which is
 * renamed into place only once complete, so parallel first builds do not trip
 * over each other and a failed build leaves nothing behind.
 */
export async function buildGoBinaryOnce(
  binary: string,
  missingGo: string,
  build: (go: string, partial: string) => Promise<void>,
): Promise<string> {
  if (existsSync(binary)) return binary;
  const go = which.sync('go', { nothrow: true });
  if (!go) throw new Error(missingGo);
  await mkdir(dirname(binary), { recursive: true });
  const partial = `${binary}.${process.pid}.partial`;
  try {
    await build(go, partial);
    await rename(partial, binary);
  } finally {
    await rm(partial, { force: true });
  }
  return binary;
}
