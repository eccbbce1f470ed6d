import { type ChildProcessWithoutNullStreams, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { createInterface } from 'node:readline';
import type { Logger } from 'pino';
import { JAVA_HELP } from './database-jar.js';

const START_TIMEOUT_MS = 30_000;

/**
 * Sized so the whole process stays under 300 MB of resident memory with a
 * library of a thousand tracks: the documents it handles are at most a few
 * MB (a segment, a chunk of an original), its page cache is bounded by
 * `--cache-mb`, and network buffers live on the heap. Out of memory, it exits
 * and is restarted rather than limping on (`npm run bench:library` prints its
 * peak). Its work is mostly copying bytes: only the quick compiler (C1) runs,
 * not the optimising one.
 */
const JVM_OPTIONS = [
  '-XX:TieredStopAtLevel=1',
  '-Xms32m',
  '-Xmx160m',
  '-XX:+UseSerialGC',
  '-XX:MaxDirectMemorySize=64m',
  '-XX:ReservedCodeCacheSize=32m',
  '-XX:MaxMetaspaceSize=64m',
  '-Xss512k',
  '-XX:+ExitOnOutOfMemoryError',
  '-Dio.netty.allocator.type=unpooled',
  '-Dio.netty.noPreferDirect=true',
];

export interface DatabaseProcess {
  child: ChildProcessWithoutNullStreams;
  uri: string;
  port: number;
  startedAt: number;
}

export function stopDatabaseProcess(child: ChildProcessWithoutNullStreams): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const kill = setTimeout(() => child.kill('SIGKILL'), 10_000);
    child.once('exit', () => {
      clearTimeout(kill);
      resolve();
    });
    child.stdin.end();
    child.kill('SIGTERM');
  });
}

/** The URI in the server's `{"uri": …}` line; other output (a JVM's notices) is passed over. */
function uriIn(line: string): string | undefined {
  try {
    const { uri } = JSON.parse(line) as { uri?: unknown };
    return typeof uri === 'string' ? uri : undefined;
  } catch {
    return undefined;
  }
}

/** Starts the server process on `port` and waits for the line that gives its URI. */
export async function spawnDatabaseProcess(
  java: string,
  jar: string,
  file: string,
  port: number,
  logger: Logger,
): Promise<DatabaseProcess> {
  const args = [...JVM_OPTIONS, '-jar', jar, '--listen', `127.0.0.1:${port}`, '--file', file];
  const child = spawn(java, args, { stdio: 'pipe' });
  const stderr: string[] = [];
  createInterface({ input: child.stderr }).on('line', (line) => {
    stderr.push(line);
    if (stderr.length > 20) stderr.shift();
    logger.warn({ engine: 'embedded database' }, line);
  });
  const uri = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('the embedded database did not start in time')), START_TIMEOUT_MS);
    const settle = (error: Error | undefined, value?: string) => {
      clearTimeout(timer);
      if (error) reject(error);
      else resolve(value!);
    };
    child.once('error', (error) => settle(error));
    // 'close' comes once its output is read to the end, so the reason it gives is complete
    child.once('close', (code) => {
      const tooOld = stderr.some((line) => line.includes('UnsupportedClassVersionError'));
      settle(new Error(tooOld ? JAVA_HELP : `the embedded database exited with code ${code} before it was ready: ${stderr.join('\n')}`));
    });
    createInterface({ input: child.stdout }).on('line', (line) => {
      const uri = uriIn(line);
      if (uri) settle(undefined, uri);
    });
  }).catch(async (error: unknown) => {
    await stopDatabaseProcess(child);
    throw error;
  });
  return { child, uri, port, startedAt: Date.now() };
}

/** Linux hands out outgoing connections' ports from this range (the kernel's default when it cannot be read). */
function ephemeralPortRange(): [number, number] {
  try {
    const [low, high] = readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').trim().split(/\s+/).map(Number);
    if (low && high) return [low, high];
  } catch {
    // not Linux
  }
  return [32768, 60999];
}

/**
 * A free port below the range outgoing connections are given ports from: the
 * database is restarted on the same port, which an outgoing connection could
 * otherwise have taken meanwhile.
 */
export async function stablePort(): Promise<number> {
  const [low] = ephemeralPortRange();
  const floor = Math.min(20_000, low - 1000);
  for (let attempt = 0; attempt < 50; attempt++) {
    const port = floor + Math.floor(Math.random() * (low - floor));
    const server = createServer();
    const free = await new Promise<boolean>((resolve) => {
      server.once('error', () => resolve(false));
      server.listen(port, '127.0.0.1', () => resolve(true));
    });
    if (free) {
      await new Promise((resolve) => server.close(resolve));
      return port;
    }
  }
  throw new Error('no free port for the embedded database below the ephemeral range');
}
