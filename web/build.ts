import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const WEB = dirname(fileURLToPath(import.meta.url));
export const WEB_DIST = join(WEB, 'dist');

export interface WebBuildOptions {
  outDir?: string;
  /** the path the app is served under: `/` locally, `/function/web/` as an OpenFaaS function */
  basePath?: string;
  /** the gateway the app talks to; empty for the page's own origin */
  gatewayUrl?: string;
}

/** Bundles the player into static files: index.html, app.js, app.css, its icon and an editable config.js. */
export async function buildWeb(options: WebBuildOptions = {}): Promise<string> {
  const outDir = options.outDir ?? WEB_DIST;
  const basePath = options.basePath ?? '/';
  if (!basePath.startsWith('/') || !basePath.endsWith('/')) throw new Error(`the base path starts and ends with "/", not ${basePath}`);
  await rm(outDir, { recursive: true, force: true });
  await mkdir(outDir, { recursive: true });
  await build({
    entryPoints: [join(WEB, 'src/main.ts')],
    outfile: join(outDir, 'app.js'),
    bundle: true,
    minify: true,
    sourcemap: true,
    format: 'esm',
    platform: 'browser',
    conditions: ['browser'],
    target: ['es2022'],
    logLevel: 'warning',
  });
  const html = await readFile(join(WEB, 'index.html'), 'utf8');
  await writeFile(join(outDir, 'index.html'), html.replace('%BASE_PATH%', basePath));
  await writeFile(join(outDir, 'app.css'), await readFile(join(WEB, 'app.css')));
  await writeFile(join(outDir, 'favicon.svg'), await readFile(join(WEB, 'favicon.svg')));
  const config = { gatewayUrl: options.gatewayUrl ?? '' };
  await writeFile(
    join(outDir, 'config.js'),
    `// Where the player finds the Segue gateway; an empty gatewayUrl means this page's own origin.\nwindow.SEGUE_CONFIG = ${JSON.stringify(config, null, 2)};\n`,
  );
  return outDir;
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
