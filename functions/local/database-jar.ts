import { createHash } from 'node:crypto';
import { mkdtemp, readdir, readFile, rename, rm } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Logger } from 'pino';
import { buildOnce, runTool } from './build-once.js';

/** What serves the embedded database, for start-up messages. */
export const DATABASE_ENGINE = 'mongo-java-server 1.47.0 on H2 MVStore';

export const JAVA_HELP =
  'The embedded database needs Java 17 or newer, and Maven to build it once ' +
  '(Debian or Ubuntu: apt-get install default-jdk-headless maven). ' +
  'Or set MONGODB_URI to a MongoDB 6 or newer that you run.';

const MODULE = fileURLToPath(new URL('./database/', import.meta.url));
const BUILD_CACHE = fileURLToPath(new URL('../../.cache/database/', import.meta.url));

async function filesUnder(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  return entries
    .filter((entry) => entry.isFile())
    .map((entry) => join(entry.parentPath, entry.name))
    .sort();
}

/** The built jar's name carries a hash of its sources, so a changed module is rebuilt. */
async function jarPath(): Promise<string> {
  const hash = createHash('sha256');
  for (const file of [join(MODULE, 'pom.xml'), ...(await filesUnder(join(MODULE, 'src')))]) {
    hash.update(file.slice(MODULE.length)).update('\0').update(await readFile(file));
  }
  return join(BUILD_CACHE, `segue-database-${hash.digest('hex').slice(0, 12)}.jar`);
}

/** Jars built from earlier sources are of no use once the sources changed. */
async function removeOtherBuilds(partial: string): Promise<void> {
  const current = basename(partial).split('.')[0];
  for (const name of await readdir(BUILD_CACHE)) {
    if (/^segue-database-[0-9a-f]{12}\.jar$/.test(name) && !name.startsWith(`${current}.`)) await rm(join(BUILD_CACHE, name), { force: true });
  }
}

/** Builds the embedded database with Maven the first time; later calls answer the cached jar. */
export async function buildDatabaseJar(logger: Logger): Promise<string> {
  return buildOnce(await jarPath(), { command: 'mvn', missing: JAVA_HELP }, async (mvn, partial) => {
    logger.info(`building the embedded database (${DATABASE_ENGINE}) once; this takes under a minute`);
    await removeOtherBuilds(partial);
    const buildDir = await mkdtemp(join(BUILD_CACHE, 'build-'));
    try {
      await runTool(mvn, ['-B', '-q', '-f', join(MODULE, 'pom.xml'), `-Dsegue.buildDirectory=${buildDir}`, 'package'], {
        maxBuffer: 16 * 1024 * 1024,
      }).catch((error: { stdout?: string; message: string }) => {
        // Maven reports build errors on stdout
        throw new Error(`the embedded database did not build: ${error.stdout?.trim() || error.message}`);
      });
      await rename(join(buildDir, 'segue-database.jar'), partial);
    } finally {
      await rm(buildDir, { recursive: true, force: true });
    }
  });
}
