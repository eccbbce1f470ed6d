import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, isAbsolute, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { Page } from 'playwright-core';

/**
 * V8 coverage of the scripts Chromium runs, for `npm run coverage`: when c8
 * sets NODE_V8_COVERAGE, each page's coverage is written there in the format
 * Node writes, each script under the path of its bundle on disk with that
 * bundle's source map beside it, so c8 counts it against web/ and api-client/.
 */
const DIRECTORY = process.env.NODE_V8_COVERAGE;

/** URL prefix → the directory its files are served from */
const servedFrom = new Map<string, string>();
const covered = new WeakSet<Page>();
let written = 0;

/** Tells which directory on disk the scripts under `urlPrefix` (e.g. `http://127.0.0.1:41234/`) are served from. */
export function scriptsServedFrom(urlPrefix: string, directory: string): void {
  servedFrom.set(urlPrefix, directory);
}

/**
 * Counts what `page` runs from now on. A navigation started by the test may
 * move the page to a new renderer, which takes the coverage so far with it,
 * so that is written first; so is what ran before the page closes.
 */
export async function coverPage(page: Page): Promise<void> {
  if (!DIRECTORY) return;
  await start(page);
  const goto = page.goto.bind(page);
  page.goto = async (url, options) => {
    await writeBrowserCoverage(page);
    await start(page);
    return goto(url, options);
  };
  const close = page.close.bind(page);
  page.close = async (options) => {
    try {
      await writeBrowserCoverage(page);
    } finally {
      await close(options);
    }
  };
}

async function start(page: Page): Promise<void> {
  await page.coverage.startJSCoverage({ resetOnNavigation: false });
  covered.add(page);
}

/** Writes what `page` ran since coverage of it started; call it before its browser closes. */
export async function writeBrowserCoverage(page: Page): Promise<void> {
  if (!DIRECTORY || !covered.has(page) || page.isClosed()) return;
  covered.delete(page);
  const result: Array<{ scriptId: string; url: string; functions: unknown[] }> = [];
  const sourceMaps: Record<string, { data: unknown; lineLengths: number[] }> = {};
  for (const script of await page.coverage.stopJSCoverage()) {
    const path = pathOnDisk(script.url);
    const sourceMap = path && script.source !== undefined ? readSourceMap(path, script.source) : undefined;
    // a script with no bundle or no map behind it has no source of ours to count against
    if (!path || !sourceMap) continue;
    const url = pathToFileURL(path).href;
    result.push({ scriptId: script.scriptId, url, functions: script.functions });
    sourceMaps[url] = { data: sourceMap, lineLengths: script.source!.split('\n').map((line) => line.length) };
  }
  if (result.length === 0) return;
  writeFileSync(join(DIRECTORY, `coverage-browser-${process.pid}-${Date.now()}-${written++}.json`), JSON.stringify({ result, 'source-map-cache': sourceMaps }));
}

function pathOnDisk(url: string): string | undefined {
  for (const [prefix, directory] of servedFrom) {
    if (url.startsWith(prefix)) return join(directory, decodeURIComponent(new URL(url).pathname.slice(new URL(prefix).pathname.length)));
  }
  // page.addScriptTag({ path }) names the script by its path
  if (url.startsWith('file://')) return fileURLToPath(url);
  return isAbsolute(url) && existsSync(url) ? url : undefined;
}

/** The bundle's source map, inline or in the file its sourceMappingURL names (read now: the bundle may be in a directory about to go). */
function readSourceMap(path: string, source: string): unknown {
  const reference = [...source.matchAll(/^\/\/# sourceMappingURL=(\S+)$/gm)].at(-1)?.[1];
  if (!reference) return undefined;
  const inline = /^data:application\/json;(?:charset=utf-8;)?base64,(.*)$/.exec(reference);
  if (inline) return JSON.parse(Buffer.from(inline[1]!, 'base64').toString('utf8'));
  const file = resolve(dirname(path), decodeURIComponent(reference));
  return existsSync(file) ? JSON.parse(readFileSync(file, 'utf8')) : undefined;
}
