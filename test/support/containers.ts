import { join } from 'node:path';
import { nanoid } from 'nanoid';
import { freePort } from './net.js';
import { REPO, type StackFunction, run } from './openfaas.js';

const IMAGES = join(REPO, 'deploy/images');

/** podman on the project's own settings (host networking only, overlay storage, runc), as the image scripts use it. */
const engineEnv = {
  ...process.env,
  CONTAINERS_CONF: join(IMAGES, 'containers.conf'),
  CONTAINERS_STORAGE_CONF: join(IMAGES, 'storage.conf'),
};

export const podman = (args: string[]) => run('podman', args, { env: engineEnv, maxBuffer: 16 * 1024 * 1024 });

export type FunctionName = 'crud' | 'stream' | 'web';

export interface BuiltImages {
  images: Record<FunctionName, string>;
  /** true when the images are complete, of-watchdog included; false when they stop at the `server` stage */
  withWatchdog: boolean;
}

/**
 * Builds the three images with `npm run images` (layers cached, so an
 * unchanged tree builds in seconds). Without root the engine cannot run here:
 * the suite is skipped, saying so, except in CI, where that is a failure.
 */
export async function buildImagesOrSkip(context: Mocha.Context): Promise<BuiltImages> {
  if (process.getuid?.() !== 0 && !process.env.CI) {
    console.warn('      skipped: building and running the images needs root');
    context.skip();
  }
  const { stdout } = await run('bash', [join(IMAGES, 'build-images.sh')], { cwd: REPO, maxBuffer: 16 * 1024 * 1024 });
  const images = Object.fromEntries(stdout.trim().split('\n').map((line) => line.split(' '))) as Record<FunctionName, string>;
  const { stdout: stages } = await podman(['image', 'inspect', '--format', '{{.Config.Cmd}}', images.crud]);
  return { images, withWatchdog: stages.includes('fwatchdog') };
}

export interface RunningContainer {
  name: string;
  url: string;
  /** where its Prometheus metrics are (METRICS_PORT) */
  metricsUrl: string;
  exec(command: string[]): Promise<{ stdout: string }>;
  logs(): Promise<string>;
  stop(): Promise<void>;
}

/** A stack.yml value with its `${VAR:-default}` placeholders filled in, as faas-cli does. */
const expand = (value: string | number) =>
  String(value).replace(/\$\{(\w+):-([^}]*)\}/g, (_, name: string, fallback: string) => process.env[name] ?? fallback);

/**
 * Runs a function's image as production does: with its stack.yml environment,
 * read-only, /tmp a tmpfs, on the host's network (ports of its own). A
 * complete image listens through of-watchdog, whose metrics port (8081) is
 * fixed: run one complete image at a time.
 */
export async function runContainer(
  image: string,
  withWatchdog: boolean,
  fn: StackFunction,
  env: Record<string, string>,
): Promise<RunningContainer> {
  const name = `segue-test-${nanoid(8).toLowerCase().replace(/[^a-z0-9]/g, 'x')}`;
  const [port, serverPort, metricsPort] = [await freePort(), await freePort(), await freePort()];
  const ports = withWatchdog
    ? { port: String(port), PORT: String(serverPort), upstream_url: `http://127.0.0.1:${serverPort}` }
    : { PORT: String(port) };
  const stackEnvironment = Object.fromEntries(Object.entries(fn.environment ?? {}).map(([key, value]) => [key, expand(value)]));
  const environment = Object.entries({ ...stackEnvironment, ...env, ...ports, METRICS_PORT: String(metricsPort) }).flatMap(([key, value]) => [
    '--env',
    `${key}=${value}`,
  ]);
  // the HEALTHCHECK is run by the test (`podman healthcheck run`): no systemd timer to schedule it
  const options = ['--detach', '--name', name, '--read-only', '--tmpfs', '/tmp:rw,mode=1777,size=512m', '--network', 'host', '--health-interval', 'disable'];
  await podman(['run', ...options, ...environment, image]);
  return {
    name,
    url: `http://127.0.0.1:${port}`,
    metricsUrl: `http://127.0.0.1:${metricsPort}/metrics`,
    exec: (command) => podman(['exec', name, ...command]),
    logs: async () => {
      const { stdout, stderr } = await podman(['logs', name]).catch((error: { stdout?: string; stderr?: string }) => error);
      return `${stdout ?? ''}${stderr ?? ''}`;
    },
    stop: async () => {
      await podman(['rm', '--force', '--time', '30', name]);
    },
  };
}
