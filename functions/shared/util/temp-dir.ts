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

/**
 * A fresh directory under `root` that outlives this call (an upload staged for a job), and its removal: once
 * only, however often asked, then `release` (what it held is given back).
 */
export async function disposableTempDir(root: string, purpose: string, release: () => void): Promise<{ dir: string; dispose(): Promise<void> }> {
  const dir = await makeTempDir(root, purpose);
  let disposed = false;
  const dispose = async () => {
    if (disposed) return;
    disposed = true;
    await removeDir(dir);
    release();
  };
  return { dir, dispose };
}
