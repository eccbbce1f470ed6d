import { mkdtemp, rename, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Logger } from 'pino';
import { buildOnce, runTool } from './build-once.js';

/**
 * The OpenFaaS tools the packaging is checked with, pinned. Their releases are
 * tagged without a leading "v"; `versionVariable` is what their release builds
 * stamp the version into.
 */
export const OPENFAAS_TOOLS = {
  'faas-cli': { module: 'github.com/openfaas/faas-cli', version: '0.18.12', versionVariable: 'github.com/openfaas/faas-cli/version.Version' },
  'of-watchdog': { module: 'github.com/openfaas/of-watchdog', version: '0.11.6', versionVariable: 'main.Version' },
} as const;

export type OpenfaasTool = keyof typeof OPENFAAS_TOOLS;

/** Static binaries, so a cached build runs wherever the cache is copied. */
const GO_ENV = { ...process.env, CGO_ENABLED: '0' };

const GO = { command: 'go', missing: 'Go is not installed: it builds faas-cli and of-watchdog' };

const BUILD_CACHE = fileURLToPath(new URL('../../.cache/openfaas/', import.meta.url));

export const openfaasToolPath = (tool: OpenfaasTool) => join(BUILD_CACHE, `${tool}-${OPENFAAS_TOOLS[tool].version}`);

/** `go install module@version` through the Go module proxy. */
async function installFromModuleProxy(go: string, tool: OpenfaasTool, output: string): Promise<void> {
  const { module, version, versionVariable } = OPENFAAS_TOOLS[tool];
  const bin = await mkdtemp(join(BUILD_CACHE, 'gobin-'));
  try {
    await runTool(go, ['install', '-trimpath', '-ldflags', `-s -w -X ${versionVariable}=${version}`, `${module}@${version}`], {
      env: { ...GO_ENV, GOBIN: bin },
      maxBuffer: 16 * 1024 * 1024,
    });
    await rename(join(bin, tool), output);
  } finally {
    await rm(bin, { recursive: true, force: true });
  }
}

/** Builds the pinned tag of a git clone with its vendored modules: nothing is downloaded. */
async function buildFromClone(go: string, tool: OpenfaasTool, clone: string, output: string): Promise<void> {
  const { version, versionVariable } = OPENFAAS_TOOLS[tool];
  const source = await mkdtemp(join(BUILD_CACHE, `${tool}-src-`));
  try {
    await runTool('git', ['-C', clone, 'archive', '--format=tar', '-o', join(source, 'source.tar'), version]);
    await runTool('tar', ['-xf', 'source.tar'], { cwd: source });
    await runTool(go, ['build', '-mod=vendor', '-trimpath', '-ldflags', `-s -w -X ${versionVariable}=${version}`, '-o', output, '.'], {
      cwd: source,
      env: GO_ENV,
      maxBuffer: 16 * 1024 * 1024,
    });
  } finally {
    await rm(source, { recursive: true, force: true });
  }
}

/**
 * Builds faas-cli or of-watchdog once into `.cache/openfaas/`; later calls
 * reuse it. From the Go module proxy by default; with OPENFAAS_SOURCES set to
 * a folder holding git clones named `faas-cli` and `of-watchdog`, from those
 * (for proxies that do not serve the OpenFaaS modules).
 */
export async function buildOpenfaasTool(tool: OpenfaasTool, logger: Logger): Promise<string> {
  const sources = process.env.OPENFAAS_SOURCES;
  try {
    return await buildOnce(openfaasToolPath(tool), GO, async (go, partial) => {
      logger.info({ tool, version: OPENFAAS_TOOLS[tool].version, from: sources ?? 'the Go module proxy' }, 'building an OpenFaaS tool once');
      if (sources) await buildFromClone(go, tool, join(sources, tool), partial);
      else await installFromModuleProxy(go, tool, partial);
    });
  } catch (error) {
    const stderr = (error as { stderr?: string }).stderr?.trim();
    throw new Error(`could not build ${tool} ${OPENFAAS_TOOLS[tool].version}: ${stderr || (error as Error).message}`);
  }
}

/** Both tools, built where missing. */
export async function buildOpenfaasTools(logger: Logger): Promise<Record<OpenfaasTool, string>> {
  return {
    'faas-cli': await buildOpenfaasTool('faas-cli', logger),
    'of-watchdog': await buildOpenfaasTool('of-watchdog', logger),
  };
}
