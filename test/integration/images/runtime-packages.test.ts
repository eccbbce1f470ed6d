import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import {
  RUNTIME_PACKAGES,
  type RuntimePackages,
  formatRuntimePackages,
  importedPackages,
  packageOf,
  runtimePackages,
} from '../../../functions/local/runtime-packages.js';
import { REPO, readStack } from '../../support/openfaas.js';

describe('the packages each image installs (functions/image/runtime-packages.json)', () => {
  let written: RuntimePackages;
  let imported: RuntimePackages;
  before(async () => {
    written = JSON.parse(await readFile(RUNTIME_PACKAGES, 'utf8')) as RuntimePackages;
    imported = await runtimePackages();
  });

  it("lists, for each function, every package its server imports and no other (else: npm run images:packages)", async () => {
    expect(Object.keys(imported).sort(), 'a function for each image stack.yml builds').to.deep.equal(Object.keys((await readStack()).functions).sort());
    for (const [name, packages] of Object.entries(imported)) {
      const listed = written[name] ?? [];
      expect(packages.filter((each) => !listed.includes(each)), `${name} imports these, which its image would not have`).to.deep.equal([]);
      expect(listed.filter((each) => !packages.includes(each)), `${name}'s image would keep these, which it never imports`).to.deep.equal([]);
    }
    expect(await readFile(RUNTIME_PACKAGES, 'utf8'), 'the file as npm run images:packages writes it').to.equal(formatRuntimePackages(imported));
  });

  it('names only dependencies of package.json: the image prunes devDependencies, so an import of one would fail there', async () => {
    const { dependencies } = JSON.parse(await readFile(join(REPO, 'package.json'), 'utf8')) as { dependencies: Record<string, string> };
    for (const [name, packages] of Object.entries(imported)) {
      expect(packages.filter((each) => !(each in dependencies)), `${name} imports these, which are not dependencies`).to.deep.equal([]);
    }
    expect(imported.stream, 'what only crud imports stays out of stream').not.to.include.members(['busboy']);
  });

  describe('reading an import graph', () => {
    let scratch: string;
    before(async () => {
      scratch = await mkdtemp(join(tmpdir(), 'segue-runtime-packages-'));
    });
    after(() => rm(scratch, { recursive: true, force: true }));

    it("finds packages imported through the project's own modules, by package, leaving out built-ins and types", async () => {
      await writeFile(join(scratch, 'server.ts'), "import { start } from './lib.js';\nimport { readFile } from 'node:fs';\nawait start(readFile);\n");
      await writeFile(
        join(scratch, 'lib.ts'),
        [
          "import type { Express } from 'express';",
          "import busboy from 'busboy';",
          "import { createServer } from '@tus/server/dist/index.js';",
          "import { join } from 'path';",
          'export const start = async (read: unknown) => [busboy, createServer, join, read, {} as Express];',
          "export const later = () => import('zod');",
        ].join('\n'),
      );
      expect(await importedPackages(join(scratch, 'server.ts'))).to.deep.equal(['@tus/server', 'busboy', 'zod']);
    });

    it('names the package of a deep import', () => {
      expect(['srvx/node', '@tus/server/x/y', 'zod'].map(packageOf)).to.deep.equal(['srvx', '@tus/server', 'zod']);
    });
  });
});
