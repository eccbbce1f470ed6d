import { existsSync } from 'node:fs';
import { readdir } from 'node:fs/promises';
import { isBuiltin } from 'node:module';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

/**
 * What each function's image installs: the npm packages its server imports,
 * function by function (their own dependencies come with them). The Dockerfile
 * keeps these and removes the rest before it prunes; `npm run images:packages`
 * writes the file from the import graph, and a test fails while it is out of date.
 */
export const RUNTIME_PACKAGES = join(ROOT, 'functions/image/runtime-packages.json');

export type RuntimePackages = Record<string, string[]>;

/** The package an import names: `@tus/server` for `@tus/server/x`, `srvx` for `srvx/node`. */
export function packageOf(specifier: string): string {
  const parts = specifier.split('/');
  return parts.slice(0, specifier.startsWith('@') ? 2 : 1).join('/');
}

/**
 * The packages `entry` imports, directly or through the project's own modules
 * it imports: esbuild bundles it with every package left outside, and its
 * metafile names them. Node's built-in modules are left out, and so are
 * imports only of types, which the compiled code does not have. A name given
 * to `require` at run time (the bundled ffmpeg builds, media-tools.ts) is no
 * import: the images set FFMPEG_PATH instead.
 */
export async function importedPackages(entry: string): Promise<string[]> {
  const { metafile } = await build({
    entryPoints: [entry],
    bundle: true,
    write: false,
    outdir: 'unused',
    platform: 'node',
    format: 'esm',
    packages: 'external',
    metafile: true,
    logLevel: 'silent',
  });
  const imported = Object.values(metafile.inputs).flatMap((input) => input.imports.filter((each) => each.external).map((each) => each.path));
  return [...new Set(imported.filter((path) => !isBuiltin(path)).map(packageOf))].sort();
}

/** Each function with a server (functions/<name>/server.ts), and the packages that server imports. */
export async function runtimePackages(root = ROOT): Promise<RuntimePackages> {
  const functions = join(root, 'functions');
  const entries = await readdir(functions, { withFileTypes: true });
  const servers = entries.filter((entry) => entry.isDirectory()).map((entry) => entry.name);
  const packages: RuntimePackages = {};
  for (const name of servers.sort()) {
    const entry = join(functions, name, 'server.ts');
    if (existsSync(entry)) packages[name] = await importedPackages(entry);
  }
  return packages;
}

/** The file's text: pretty-printed, names sorted, as `npm run images:packages` writes it. */
export const formatRuntimePackages = (packages: RuntimePackages) => `${JSON.stringify(packages, null, 2)}\n`;
