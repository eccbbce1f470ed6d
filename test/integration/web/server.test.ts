import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { expect } from 'chai';
import { exitOf } from '../../support/proc.js';
import { buildWeb } from '../../../web/build.js';
import { type FunctionProcess, startFunctionProcess } from '../../support/function-process.js';
import { freePort } from '../../support/net.js';

const run = promisify(execFile);

/** The images' HEALTHCHECK without a watchdog, run as they run it: its exit code is the verdict. */
async function healthcheck(port: string, path: string): Promise<number> {
  const script = join(import.meta.dirname, '../../../functions/shared/http/healthcheck.ts');
  return run(process.execPath, ['--import', 'tsx', script, path], { env: { ...process.env, PORT: port } }).then(
    () => 0,
    (error: { code?: number }) => error.code ?? -1,
  );
}

describe("the web function's server entry, in a process of its own", function () {
  this.timeout(60_000);
  let home: string;
  let web: FunctionProcess;

  before(async () => {
    // laid out like the image's /home/app: the built player in web/dist under the working directory
    home = await mkdtemp(join(tmpdir(), 'segue-web-'));
    await buildWeb({ outDir: join(home, 'web/dist'), basePath: '/function/web/' });
    web = await startFunctionProcess('web', {}, { cwd: home });
  });
  after(async () => {
    await web?.stop();
    if (home) await rm(home, { recursive: true, force: true });
  });

  it('serves the player, and index.html for a share link, asked again every time', async () => {
    const page = await fetch(`${web.url}/`);
    expect([page.status, page.headers.get('cache-control')]).to.deep.equal([200, 'no-cache']);
    expect(await page.text()).to.contain('<base href="/function/web/"');
    const share = await fetch(`${web.url}/t/AAAAAAAAAAAA`);
    expect([share.status, share.headers.get('cache-control')]).to.deep.equal([200, 'no-cache']);
    expect(await share.text()).to.contain('<base href="/function/web/"');
    const config = await fetch(`${web.url}/config.js`, { headers: { 'accept-encoding': 'br, gzip' } });
    // an operator edits config.js in place: never a compressed copy of what it said before
    expect([config.status, config.headers.get('cache-control'), config.headers.get('content-encoding')]).to.deep.equal([200, 'no-cache', null]);
  });

  it('serves its content-named assets compressed as the browser accepts, to be cached for good', async () => {
    const html = await (await fetch(`${web.url}/`)).text();
    const script = /<script type="module" src="(assets\/app-[0-9A-Z]+\.js)"/.exec(html)![1]!;
    const style = /<link rel="stylesheet" href="(assets\/style-[0-9A-Z]+\.css)"/.exec(html)![1]!;
    const plain = await (await fetch(`${web.url}/${script}`, { headers: { 'accept-encoding': 'identity' } })).text();
    for (const [accepted, encoding] of [['br, gzip', 'br'], ['gzip', 'gzip'], ['identity', null]] as const) {
      for (const path of [script, style]) {
        const answer = await fetch(`${web.url}/${path}`, { headers: { 'accept-encoding': accepted } });
        expect(answer.headers.get('content-encoding'), `${path} for ${accepted}`).to.equal(encoding);
        expect(answer.headers.get('cache-control')).to.equal('public, max-age=31536000, immutable');
        expect(answer.headers.get('vary')).to.equal('Accept-Encoding');
        expect(answer.headers.get('content-type')).to.match(path.endsWith('.js') ? /^text\/javascript/ : /^text\/css/);
      }
    }
    // fetch decodes what it was sent: every encoding carries the same script
    expect(await (await fetch(`${web.url}/${script}`, { headers: { 'accept-encoding': 'br' } })).text()).to.equal(plain);
    expect(await (await fetch(`${web.url}/${script}`, { headers: { 'accept-encoding': 'gzip' } })).text()).to.equal(plain);
  });

  it('serves its icon, named by the page, and answers a file it does not have with a 404 rather than the page', async () => {
    const iconPath = /<link rel="icon" href="(assets\/favicon-[0-9A-Z]+\.svg)" type="image\/svg\+xml" \/>/.exec(await (await fetch(`${web.url}/`)).text())![1]!;
    const icon = await fetch(`${web.url}/${iconPath}`);
    expect([icon.status, icon.headers.get('content-type')]).to.deep.equal([200, 'image/svg+xml']);
    expect(await icon.text()).to.match(/^<svg /);
    // a script named by an older build, asked for by a page opened before a deployment
    expect((await fetch(`${web.url}/assets/app-OLDBUILD.js`)).status).to.equal(404);
    const ico = await fetch(`${web.url}/favicon.ico`);
    expect([ico.status, ico.headers.get('content-type')?.split(';')[0]]).to.deep.equal([404, 'text/plain']);
    expect(await ico.text()).not.to.contain('<html');
    // a page that is not the app's still gets the app, to say so
    expect((await fetch(`${web.url}/no/such/page`)).status).to.equal(404);
    expect(await (await fetch(`${web.url}/no/such/page`)).text()).to.contain('<html');
  });

  it("passes the image's healthcheck, which fails for a missing page and for a server that is not there", async () => {
    const port = new URL(web.url).port;
    expect(await healthcheck(port, '/')).to.equal(0);
    expect(await healthcheck(port, '/no/such/page')).to.equal(1);
    expect(await healthcheck(String(await freePort()), '/')).to.equal(1);
  });

  it('stops cleanly on SIGTERM', async () => {
    const exited = exitOf(web.child);
    await web.stop();
    expect((await exited).code).to.equal(0);
  });
});
