import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { watchdogDurationMs } from '../../functions/shared/config/settings.js';
import { promisify } from 'node:util';
import { load } from 'js-yaml';
import { buildOpenfaasTools, type OpenfaasTool } from '../../functions/local/openfaas-tools.js';
import { createLogger } from '../../functions/shared/logger.js';
import { freePort } from './net.js';
import { coverageEnvironment, until } from './proc.js';

export const REPO = fileURLToPath(new URL('../../', import.meta.url));
export const run = promisify(execFile);

/** faas-cli and of-watchdog, built on first use; a suite without them is skipped, saying why. */
export async function openfaasToolsOrSkip(context: Mocha.Context): Promise<Record<OpenfaasTool, string>> {
  try {
    return await buildOpenfaasTools(createLogger('warn', 'openfaas-tools'));
  } catch (error) {
    console.warn(`      skipped: ${(error as Error).message}`);
    context.skip();
  }
}

export interface StackFunction {
  lang: string;
  handler: string;
  image: string;
  environment: Record<string, string | number>;
  secrets?: string[];
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  build_args?: Record<string, string>;
}

export interface Stack {
  configuration: { copy: string[] };
  functions: Record<string, StackFunction>;
}

export const readStack = async (dir = REPO) => load(await readFile(join(dir, 'stack.yml'), 'utf8')) as Stack;

export const dockerfileOf = (fn: StackFunction, dir = REPO) => join(dir, fn.handler, 'Dockerfile');

/** A function's environment in stack.yml, every value a string as the process sees it. */
export const stackEnvironment = (fn: StackFunction): Record<string, string> =>
  Object.fromEntries(Object.entries(fn.environment ?? {}).map(([key, value]) => [key, String(value)]));

/** A Dockerfile's instructions, one per entry, with continuation lines joined and comments dropped. */
export function dockerInstructions(text: string): string[] {
  return text
    .split('\n')
    .filter((line) => !line.trim().startsWith('#'))
    .join('\n')
    .replace(/\\\n/g, ' ')
    .split('\n')
    .map((line) => line.trim())
    .filter(Boolean);
}

/** `${NAME}` and `$NAME` replaced by their values, as a Dockerfile's instructions see them; an unset one is empty. */
const substitute = (text: string, values: Record<string, string>) =>
  text.replace(/\$\{(\w+)\}|\$(\w+)/g, (_, braced?: string, bare?: string) => values[(braced ?? bare)!] ?? '');

/**
 * The environment a function's image starts with: the ENV of its Dockerfile's
 * last stage and of the stages it is built FROM, in order, later ones winning,
 * with the function's stack.yml build_args given to the ARGs (those declared
 * before the first FROM for the FROM lines, a stage's own for its lines).
 */
export function imageEnvironment(fn: StackFunction, dir = REPO): Record<string, string> {
  const buildArgs = fn.build_args ?? {};
  const argument = (line: string, outer: Record<string, string>) => {
    const match = /^ARG\s+(\w+)(?:=(\S*))?$/i.exec(line);
    return match && { name: match[1]!, value: buildArgs[match[1]!] ?? match[2] ?? outer[match[1]!] ?? '' };
  };
  const globals: Record<string, string> = {};
  const stages: { name?: string; base: string; lines: string[] }[] = [];
  for (const line of dockerInstructions(readFileSync(dockerfileOf(fn, dir), 'utf8'))) {
    const from = /^FROM\s+(\S+)(?:\s+AS\s+(\S+))?/i.exec(line);
    const global = stages.length === 0 && argument(line, {});
    if (from) stages.push({ base: substitute(from[1]!, globals), name: from[2], lines: [] });
    else if (global) globals[global.name] = global.value;
    else stages.at(-1)?.lines.push(line);
  }
  const chain = (stage: (typeof stages)[number]): (typeof stages)[number][] => {
    const parent = stages.find((candidate) => candidate.name === stage.base);
    return parent ? [...chain(parent), stage] : [stage];
  };
  const env: Record<string, string> = {};
  for (const stage of chain(stages.at(-1)!)) {
    const args: Record<string, string> = {};
    for (const line of stage.lines) {
      const arg = argument(line, globals);
      if (arg) args[arg.name] = arg.value;
      const match = /^ENV\s+(.*)$/i.exec(line);
      if (!match) continue;
      for (const [, key, quoted, bare] of match[1]!.matchAll(/(\w+)=(?:"([^"]*)"|(\S*))/g)) env[key!] = substitute(quoted ?? bare ?? '', { ...args, ...env });
    }
  }
  return env;
}

/** A Go duration such as `30m`, `1h5m` or `10s`, in seconds. */
export const durationSeconds = (text: string | number): number => watchdogDurationMs(String(text)) / 1000;

export const METRICS_PORT = 8081;

function portIsFree(port: number): Promise<boolean> {
  const server = createServer();
  return new Promise((resolve) => {
    server.once('error', () => resolve(false));
    server.listen(port, () => server.close(() => resolve(true)));
  });
}

export interface RunningWatchdog {
  child: ChildProcess;
  url: string;
  /** what it printed (the function's log lines included), for failure messages */
  output(): string;
  /** the pid of the function's server, which the watchdog forked */
  serverPid(): number;
  /** the port the function's server listens on, behind the watchdog */
  serverPort: number;
  stop(): Promise<void>;
}

/**
 * of-watchdog as the image runs it: the image's ENV, then the stack's
 * environment over it, in `cwd` laid out like the image's /home/app. Only the
 * ports change (the watchdog's and the server's, kept equal to each other as
 * the image has them), so several runs fit on one machine.
 */
export async function startWatchdog(
  watchdog: string,
  fn: StackFunction,
  { cwd, env }: { cwd: string; env: Record<string, string> },
): Promise<RunningWatchdog> {
  const image = imageEnvironment(fn);
  const upstream = new URL(image.upstream_url ?? '');
  if (upstream.port !== image.PORT) throw new Error(`the image's upstream_url ${image.upstream_url} is not the PORT its server listens on (${image.PORT})`);
  // the watchdog always serves its metrics on 8081, so only one can run at a time
  if (!(await portIsFree(METRICS_PORT))) throw new Error(`port ${METRICS_PORT} is taken: of-watchdog serves its metrics there`);
  const [port, serverPort] = [await freePort(), await freePort()];
  upstream.port = String(serverPort);
  const environment = stackEnvironment(fn);
  const child = spawn(watchdog, [], {
    cwd,
    env: {
      PATH: process.env.PATH,
      HOME: process.env.HOME,
      // the watchdog hands its environment to the function's server
      ...coverageEnvironment(),
      ...image,
      ...environment,
      ...env,
      // the lock file of-watchdog writes is in its TMPDIR, wherever the test puts that
      ...(env.TMPDIR ? { READY_LOCK_FILE: join(env.TMPDIR, '.lock') } : {}),
      port: String(port),
      PORT: String(serverPort),
      upstream_url: upstream.origin,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const keep = (chunk: Buffer) => (output = (output + chunk.toString()).slice(-20_000));
  child.stdout!.on('data', keep);
  child.stderr!.on('data', keep);
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const url = `http://127.0.0.1:${port}`;
  for (let attempt = 0; ; attempt++) {
    if (child.exitCode !== null) throw new Error(`of-watchdog exited with ${child.exitCode}:\n${output}`);
    const health = await fetch(`${url}/_/health`).catch(() => undefined);
    if (health?.ok) break;
    if (attempt > 100) {
      // a watchdog left running would hold the metrics port and fail every later suite
      child.kill('SIGKILL');
      await exited;
      throw new Error(`of-watchdog did not become healthy:\n${output}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  const findServerPid = () => {
    const children = readdirSync('/proc')
      .filter((entry) => /^\d+$/.test(entry))
      .filter((pid) => {
        try {
          // the parent pid is the fourth field, after the command name in parentheses
          return readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ')[1] === String(child.pid);
        } catch {
          return false;
        }
      });
    if (children.length !== 1) throw new Error(`expected one server process under the watchdog, found ${children.length}`);
    return Number(children[0]);
  };
  // the server the watchdog forked: known once it answers, and needed after the watchdog has gone
  const serverPid = findServerPid();
  const running: RunningWatchdog = {
    child,
    url,
    serverPort,
    output: () => output,
    serverPid: () => serverPid,
    stop: async () => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      await exited;
      // a container ends with its watchdog; here the server, draining still, outlives it and holds its ports
      await until(async () => !existsSync(`/proc/${serverPid}`), 'the server behind the watchdog exits', 30_000);
    },
  };
  return running;
}

/** Polls `url` until it answers `status`. */
export async function waitForStatus(url: string, status: number, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last: number | string = 'no answer';
  while (Date.now() < deadline) {
    const response = await fetch(url).catch((error: Error) => error.message);
    last = typeof response === 'string' ? response : response.status;
    if (last === status) return;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  throw new Error(`${url} answered ${last}, not ${status}, within ${timeoutMs} ms`);
}
