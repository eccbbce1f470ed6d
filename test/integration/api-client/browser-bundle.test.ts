import { builtinModules } from 'node:module';
import { expect } from 'chai';
import { build } from 'esbuild';

/** What a browser app gets when it bundles the SDK: the package's `browser` entry. */
async function bundle(entry: string) {
  return build({
    entryPoints: [entry],
    bundle: true,
    write: false,
    metafile: true,
    platform: 'browser',
    format: 'esm',
    conditions: ['browser'],
    logLevel: 'silent',
  });
}

describe('the SDK in a browser bundle', function () {
  this.timeout(60_000);
  const nodeModules = new Set([...builtinModules, ...builtinModules.map((name) => `node:${name}`)]);

  for (const entry of ['@segue/api-client', '@segue/api-client/player']) {
    it(`${entry} bundles for the browser without any Node built-in`, async () => {
      const result = await bundle(entry);
      expect(result.errors).to.deep.equal([]);
      const imports = Object.values(result.metafile.inputs).flatMap((input) => input.imports.map((each) => each.path));
      expect(imports.filter((path) => nodeModules.has(path))).to.deep.equal([]);
      expect(result.outputFiles[0]!.text.length).to.be.greaterThan(1000);
    });
  }

  it('would fail for the Node entry, so the check can tell', async () => {
    let failure: unknown;
    try {
      await bundle('api-client/src/node.ts');
    } catch (error) {
      failure = error;
    }
    expect(String(failure)).to.match(/node:fs/);
  });
});
