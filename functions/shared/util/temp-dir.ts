import { mkdtemp, rm } from 'node:fs/promises';
import { join } from 'node:path';

export const makeTempDir = (root: string, purpose: string) => mkdtemp(join(root, `segue-${purpose}-`));

export const removeDir = (dir: string) => rm(dir, { recursive: true, force: true });

/** Runs `work` in a fresh directory under `root` that is removed afterwards, whatever happens. */
export async function withTempDir<T>(root: string, purpose: string, work: (dir: string) => Promise<T>): Promise<T> {
  const dir = await makeTempDir(root, purpose);
  try {
    return await work(dir);
  } finally {
    await removeDir(dir);
  }
}
