import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import { build } from 'esbuild';
import type { Browser, Page } from 'playwright-core';
import { launchBrowser, openPage } from '../../support/browser.js';
import { fixture } from '../../support/fixtures.js';
import { type GatewayHarness, startGateway } from '../../support/gateway.js';

describe('the SDK in a real browser', function () {
  this.timeout(120_000);
  let harness: GatewayHarness;
  let browser: Browser;
  let page: Page;
  let bundleDir: string;

  before(async () => {
    harness = await startGateway();
    browser = await launchBrowser();
    page = await openPage(browser);
    // a file with a source map, so coverage runs can count the page's code against the SDK's sources
    bundleDir = await mkdtemp(join(tmpdir(), 'segue-sdk-'));
    await build({
      entryPoints: ['@segue/api-client'],
      outfile: join(bundleDir, 'sdk.js'),
      sourcemap: true,
      bundle: true,
      platform: 'browser',
      conditions: ['browser'],
      format: 'iife',
      globalName: 'SegueSDK',
      logLevel: 'silent',
    });
    // a page of the gateway's own origin, as the web player is
    await page.goto(`${harness.origin}/function/crud/healthz`);
    await page.addScriptTag({ path: join(bundleDir, 'sdk.js') });
  });
  after(async () => {
    await browser?.close();
    await harness.close();
    await rm(bundleDir, { recursive: true, force: true });
  });

  it('uploads a File with progress that only moves forward and ends at its size, then waits until ready', async () => {
    const file = await fixture('taggedMp3');
    const bytes = await readFile(file.path);
    const result = await page.evaluate(
      async ({ base64, name }) => {
        const bytes = Uint8Array.from(atob(base64), (char) => char.charCodeAt(0));
        const { Segue } = (window as unknown as { SegueSDK: typeof import('@segue/api-client') }).SegueSDK;
        const segue = new Segue({ baseUrl: location.origin });
        const events: Array<{ loaded: number; total: number | null }> = [];
        const track = await segue.tracks.create({
          file: new File([bytes], name, { type: 'audio/mpeg' }),
          wait: true,
          onProgress: (event) => events.push(event),
        });
        return { events, status: track.status, filename: track.source.filename, size: track.source.bytes };
      },
      { base64: bytes.toString('base64'), name: file.filename },
    );
    expect(result).to.deep.include({ status: 'ready', filename: file.filename, size: bytes.length });
    expect(result.events[0]).to.deep.equal({ loaded: 0, total: bytes.length });
    expect(result.events.at(-1)).to.deep.equal({ loaded: bytes.length, total: bytes.length });
    for (let index = 1; index < result.events.length; index++) {
      expect(result.events[index]!.loaded).to.be.greaterThan(result.events[index - 1]!.loaded);
    }
  });

  it('uploads bytes from memory too, and refuses a stream with a reason', async () => {
    const file = await fixture('oneSecondWav');
    const bytes = await readFile(file.path);
    const result = await page.evaluate(async (base64) => {
      const bytes = Uint8Array.from(atob(base64), (char) => char.charCodeAt(0));
      const { Segue } = (window as unknown as { SegueSDK: typeof import('@segue/api-client') }).SegueSDK;
      const segue = new Segue({ baseUrl: location.origin });
      const track = await segue.tracks.create({ file: bytes, filename: 'bytes.wav', wait: true });
      let refusal = '';
      try {
        await segue.tracks.create({ file: new Blob([bytes]).stream(), filename: 'stream.wav' });
      } catch (error) {
        refusal = `${(error as Error).name}: ${(error as Error).message}`;
      }
      return { status: track.status, filename: track.source.filename, refusal };
    }, bytes.toString('base64'));
    expect(result).to.deep.include({ status: 'ready', filename: 'bytes.wav' });
    expect(result.refusal).to.match(/^TypeError: .*File/);
  });

  it('throws the SDK’s classes in the browser too', async () => {
    const result = await page.evaluate(async () => {
      const { Segue, UnsupportedMediaTypeError, NotFoundError } = (window as unknown as { SegueSDK: typeof import('@segue/api-client') }).SegueSDK;
      const segue = new Segue({ baseUrl: location.origin });
      const names: string[] = [];
      for (const call of [
        () => segue.tracks.create({ file: new Blob(['just some text']), filename: 'notes.mp3' }),
        () => segue.tracks.retrieve('AAAAAAAAAAAA'),
      ]) {
        try {
          await call();
        } catch (error) {
          names.push(`${(error as Error).name}:${error instanceof UnsupportedMediaTypeError || error instanceof NotFoundError}`);
        }
      }
      return names;
    });
    expect(result).to.deep.equal(['UnsupportedMediaTypeError:true', 'NotFoundError:true']);
  });
});
