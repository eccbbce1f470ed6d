import { mkdir, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { brotliCompress, constants as zlib, gzip } from 'node:zlib';
import { build } from 'esbuild';

const WEB = dirname(fileURLToPath(import.meta.url));
export const WEB_DIST = join(WEB, 'dist');
/** Everything in here is named by its content, so it may be cached for good. */
const ASSETS_DIR = 'assets';
/** Text worth sending compressed; the server picks `.br` or `.gz` by the request's Accept-Encoding. */
// not source maps: only developer tools fetch them, and brotli at its best takes seconds on the largest
const COMPRESSIBLE = /\.(js|css|svg)$/;

const brotli = promisify(brotliCompress);
const gzipped = promisify(gzip);

export interface WebBuildOptions {
  outDir?: string;
  /** the path the app is served under: `/` locally, `/function/web/` as an OpenFaaS function */
  basePath?: string;
  /** the gateway the app talks to; empty for the page's own origin */
  gatewayUrl?: string;
}

/**
 * Bundles the player into static files: index.html and an editable config.js,
 * and under assets/ the scripts (split so each page loads only its own code,
 * hls.js only once there is something to play), the stylesheet and the icon,
 * all named by their content, each text file with `.br` and `.gz` siblings.
 * (Only those: an operator editing config.js must not find a stale copy served in its place.)
 */
export async function buildWeb(options: WebBuildOptions = {}): Promise<string> {
  const outDir = options.outDir ?? WEB_DIST;
  const basePath = options.basePath ?? '/';
  if (!basePath.startsWith('/') || !basePath.endsWith('/')) throw new Error(`the base path starts and ends with "/", not ${basePath}`);
  await rm(outDir, { recursive: true, force: true });
  await mkdir(outDir, { recursive: true });
  const { metafile } = await build({
    entryPoints: { app: join(WEB, 'src/main.ts'), style: join(WEB, 'app.css'), favicon: join(WEB, 'favicon.svg') },
    outdir: join(outDir, ASSETS_DIR),
    entryNames: '[name]-[hash]',
    chunkNames: '[name]-[hash]',
    loader: { '.svg': 'copy' },
    bundle: true,
    splitting: true,
    minify: true,
    sourcemap: 'linked',
    metafile: true,
    format: 'esm',
    platform: 'browser',
    conditions: ['browser'],
    target: ['es2022'],
    logLevel: 'warning',
  });
  // esbuild names its outputs relative to the working directory; the page names them relative to itself
  const outputs = Object.entries(metafile.outputs).map(([path, output]) => ({ href: relative(outDir, resolve(path)), output }));
  const built = (entry: string) => {
    const found = outputs.find(({ output }) => output.entryPoint?.endsWith(entry));
    if (!found) throw new Error(`esbuild wrote nothing for ${entry}`);
    return found;
  };
  const app = built('src/main.ts');
  // what the app imports before it runs: fetched alongside it rather than after it
  const preloads = app.output.imports
    .filter((imported) => imported.kind === 'import-statement')
    .map((imported) => `<link rel="modulepreload" href="${relative(outDir, resolve(imported.path))}" />`);
  const html = (await readFile(join(WEB, 'index.html'), 'utf8'))
    .replace('%BASE_PATH%', basePath)
    .replace('%STYLE%', built('app.css').href)
    .replace('%ICON%', built('favicon.svg').href)
    .replace('%APP%', app.href)
    .replace('%PRELOADS%', preloads.join('\n    '));
  await writeFile(join(outDir, 'index.html'), html);
  const config = { gatewayUrl: options.gatewayUrl ?? '' };
  await writeFile(
    join(outDir, 'config.js'),
    `// Where the player finds the Segue gateway; an empty gatewayUrl means this page's own origin.\nwindow.SEGUE_CONFIG = ${JSON.stringify(config, null, 2)};\n`,
  );
  await compressAll(join(outDir, ASSETS_DIR));
  return outDir;
}

/** Writes `.br` and `.gz` beside every text file, at the highest settings: this runs once per build, not per request. */
async function compressAll(dir: string): Promise<void> {
  const files = (await readdir(dir)).filter((file) => COMPRESSIBLE.test(file));
  await Promise.all(
    files.map(async (file) => {
      const path = join(dir, file);
      const data = await readFile(path);
      const [br, gz] = await Promise.all([
        brotli(data, { params: { [zlib.BROTLI_PARAM_QUALITY]: zlib.BROTLI_MAX_QUALITY, [zlib.BROTLI_PARAM_SIZE_HINT]: data.length } }),
        gzipped(data, { level: zlib.Z_BEST_COMPRESSION }),
      ]);
      await Promise.all([writeFile(`${path}.br`, br), writeFile(`${path}.gz`, gz)]);
    }),
  );
}

// run as a script (npm run build:web); no top-level await, so the tests can load this module as CommonJS too
if (process.argv[1] === fileURLToPath(import.meta.url)) {
  buildWeb({
    ...(process.env.SEGUE_BASE_PATH ? { basePath: process.env.SEGUE_BASE_PATH } : {}),
    ...(process.env.SEGUE_GATEWAY_URL ? { gatewayUrl: process.env.SEGUE_GATEWAY_URL } : {}),
  }).then(
    (outDir) => console.log(`web player built into ${outDir}`),
    (error: unknown) => {
      console.error(error);
      process.exit(1);
    },
  );
}
