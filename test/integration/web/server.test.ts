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

  it('serves the player, its script, and index.html for a share link', async () => {
    const page = await fetch(`${web.url}/`);
    expect(page.status).to.equal(200);
    expect(await page.text()).to.contain('<base href="/function/web/"');
    expect((await fetch(`${web.url}/app.js`)).headers.get('content-type')).to.match(/javascript/);
    const share = await fetch(`${web.url}/t/AAAAAAAAAAAA`);
    expect(share.status).to.equal(200);
    expect(await share.text()).to.contain('<base href="/function/web/"');
  });

  it('serves its icon, named by the page, and answers a file it does not have with a 404 rather than the page', async () => {
    expect(await (await fetch(`${web.url}/`)).text()).to.contain('<link rel="icon" href="favicon.svg" type="image/svg+xml" />');
    const icon = await fetch(`${web.url}/favicon.svg`);
    expect([icon.status, icon.headers.get('content-type')]).to.deep.equal([200, 'image/svg+xml']);
    expect(await icon.text()).to.match(/^<svg /);
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
