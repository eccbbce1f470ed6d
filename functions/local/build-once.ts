import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, rename, rm } from 'node:fs/promises';
import { dirname } from 'node:path';
import { promisify } from 'node:util';
import which from 'which';

export const runTool = promisify(execFile);

export interface BuildTool {
  /** the command the build runs, looked up on PATH */
  command: string;
  /** the message when it is not installed: what to install */
  missing: string;
}

/**
 * Builds `artifact` the first time it is asked for; later calls answer the
 * cached one. `build` writes to the path it is given, which is renamed into
 * place only once complete, so parallel first builds do not trip over each
 * other and a failed build leaves nothing behind.
 */
export async function buildOnce(
  artifact: string,
  tool: BuildTool,
  build: (command: string, partial: string) => Promise<void>,
): Promise<string> {
  if (existsSync(artifact)) return artifact;
  const command = which.sync(tool.command, { nothrow: true });
  if (!command) throw new Error(tool.missing);
  await mkdir(dirname(artifact), { recursive: true });
  const partial = `${artifact}.${process.pid}.partial`;
  try {
    await build(command, partial);
    await rename(partial, artifact);
  } finally {
    await rm(partial, { recursive: true, force: true });
  }
  return artifact;
}
