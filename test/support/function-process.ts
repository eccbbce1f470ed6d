import { type ChildProcess, spawn } from 'node:child_process';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

const REPO = fileURLToPath(new URL('../../', import.meta.url));
/** tsx by where it is, so the process may run in any working directory */
const TSX = import.meta.resolve('tsx');

export interface FunctionProcess {
  child: ChildProcess;
  url: string;
  stop(): Promise<void>;
}

export interface ProcessOptions {
  /** run the build in `dist/` (what the image runs) rather than the sources through tsx */
  compiled?: boolean;
  /** a compiled entry point to run instead of the function's own server (a benchmark's variant of it) */
  entry?: string;
  /** a command that wraps it, such as `taskset -c 1` */
  pinned?: string[];
  /** its working directory (the web function serves `web/dist` under it); the repository by default */
  cwd?: string;
  /** resolve once it takes requests (its database answered), rather than as soon as it listens */
  untilReady?: boolean;
}

/** Every process started here and still running: a test that fails midway leaves its own behind. */
const running = new Set<ChildProcess>();

/** Kills what tests left running, so that the run can end (a live child keeps mocha's process alive). */
export function killLeftoverProcesses(): void {
  for (const child of running) child.kill('SIGKILL');
}

/**
 * A function's real entry point (`functions/<name>/server.ts`) in a process of
 * its own: a replica that can be measured or killed.
 */
export async function startFunctionProcess(
  name: 'crud' | 'stream' | 'web',
  env: Record<string, string>,
  { compiled = false, entry: compiledEntry, pinned = [], cwd = REPO, untilReady = true }: ProcessOptions = {},
): Promise<FunctionProcess> {
  const entry = compiledEntry
    ? [compiledEntry]
    : compiled
      ? [join(REPO, `dist/functions/${name}/server.js`)]
      : ['--import', TSX, join(REPO, `functions/${name}/server.ts`)];
  const [command, ...args] = [...pinned, process.execPath, ...entry];
  const child = spawn(command!, args, {
    cwd,
    env: {
      ...process.env,
      PORT: '0',
      // a replica under test is on loopback: writes without keys are what most suites want
      ...(name === 'crud' ? { ALLOW_ANONYMOUS_WRITES: 'true' } : {}),
      ...env,
      // info level: the address it listens on is only in its start-up log line
      LOG_LEVEL: 'info',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  running.add(child);
  child.once('exit', () => running.delete(child));
  // what it said last, to tell why it did not start
  const said: string[] = [];
  const remember = (line: string) => {
    said.push(line);
    if (said.length > 10) said.shift();
  };
  createInterface({ input: child.stderr! }).on('line', (line) => {
    remember(line);
    process.stderr.write(`${line}\n`);
  });
  const url = await new Promise<string>((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`the ${name} process exited with ${code} before listening: ${said.join('\n')}`)));
    let url: string | undefined;
    createInterface({ input: child.stdout! }).on('line', (line) => {
      remember(line);
      const { msg, address } = JSON.parse(line) as { msg: string; address?: { port: number } };
      if (msg === `${name} listening` && address) url = `http://127.0.0.1:${address.port}`;
      if (url && (!untilReady || msg === 'ready')) resolve(url);
    });
  });
  return {
    child,
    url,
    stop: () =>
      new Promise((resolve) => {
        if (child.exitCode !== null || child.signalCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      }),
  };
}
