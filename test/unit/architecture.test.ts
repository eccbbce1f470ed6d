import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect } from 'chai';
import ts from 'typescript';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');

function sourcesUnder(folder: string): string[] {
  return readdirSync(join(root, folder), { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile() && /\.ts$/.test(entry.name))
    .map((entry) => relative(root, join(entry.parentPath, entry.name)));
}

/** Every module a file imports (static, dynamic and re-exports), relative ones as paths from the root. */
function importsOf(file: string): string[] {
  const { importedFiles } = ts.preProcessFile(readFileSync(join(root, file), 'utf8'), true, true);
  return importedFiles.map(({ fileName }) =>
    fileName.startsWith('.') ? relative(root, resolve(root, dirname(file), fileName)).replace(/\.js$/, '.ts') : fileName,
  );
}

const BROWSER_SIDE = ['web/src', 'api-client/src', 'functions/core'];

/** Where requests meet the service: the only code that knows about HTTP statuses (besides the API's own table of them, in the core). */
const HTTP_EDGE = [/^functions\/core\/errors\.ts$/, /^functions\/shared\/http\//, /^functions\/\w+\/(routes|http)\//, /^functions\/\w+\/app\.ts$/, /^functions\/shared\/metrics\/metrics-server\.ts$/];

describe('the architecture', () => {
  it('keeps server code out of what runs in a browser: the SDK, the web player and the core they share', () => {
    const reaching = BROWSER_SIDE.flatMap(sourcesUnder).flatMap((file) =>
      importsOf(file)
        .filter((target) => target.startsWith('functions/') && !target.startsWith('functions/core/'))
        .map((target) => `${file} → ${target}`),
    );
    expect(reaching).to.deep.equal([]);
  });

  it('lets a function import only the core, the shared server code and itself: its image holds nothing else', () => {
    const across = ['crud', 'stream', 'web'].flatMap((fn) =>
      sourcesUnder(`functions/${fn}`).flatMap((file) =>
        importsOf(file)
          .filter((target) => target.startsWith('functions/') && !/^functions\/(core|shared)\//.test(target) && !target.startsWith(`functions/${fn}/`))
          .map((target) => `${file} → ${target}`),
      ),
    );
    expect(across).to.deep.equal([]);
  });

  it('builds the core from nothing but itself and zod', () => {
    const outside = sourcesUnder('functions/core').flatMap((file) =>
      importsOf(file)
        .filter((target) => !target.startsWith('functions/core/') && target !== 'zod')
        .map((target) => `${file} → ${target}`),
    );
    expect(outside).to.deep.equal([]);
  });

  it('knows HTTP statuses only at the HTTP edge: everything inside says what went wrong in its own terms', () => {
    const inside = sourcesUnder('functions').filter(
      (file) => !HTTP_EDGE.some((edge) => edge.test(file)) && /\b(HttpError|errorStatus)\b/.test(readFileSync(join(root, file), 'utf8')),
    );
    expect(inside).to.deep.equal([]);
  });

  it('writes the shape of a share id (a track’s or playlist’s) in one place, which every pattern and check builds on', () => {
    const elsewhere = [...BROWSER_SIDE, 'functions']
      .flatMap(sourcesUnder)
      .filter((file, index, files) => files.indexOf(file) === index && file !== 'functions/core/share-id.ts')
      .filter((file) => /\[[^\]]*A-Z[^\]]*\]\{12\}/.test(readFileSync(join(root, file), 'utf8')));
    expect(elsewhere).to.deep.equal([]);
  });
});
