import { execFile } from 'node:child_process';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { expect } from 'chai';
import { newTrackId } from '../../../functions/shared/ids.js';
import { distinctCopy, fixture } from '../../support/fixtures.js';
import { type GatewayHarness, startGateway } from '../../support/gateway.js';
import { freePort } from '../../support/net.js';
import { readyTrack } from '../../support/track-documents.js';

const BIN = fileURLToPath(new URL('../../../api-client/bin/segue.js', import.meta.url));

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

function segue(args: string[], env: Record<string, string>): Promise<Run> {
  return new Promise((resolve) => {
    execFile(process.execPath, [BIN, ...args], { env: { ...process.env, ...env } }, (error, stdout, stderr) => {
      resolve({ code: error ? Number(error.code) : 0, stdout, stderr });
    });
  });
}

describe('the segue CLI', function () {
  this.timeout(120_000);
  let harness: GatewayHarness;
  let env: Record<string, string>;

  before(async () => {
    harness = await startGateway({ API_KEYS: 'cli-key-0123456789abcdef0123456789abcd' });
    env = { SEGUE_URL: harness.origin, SEGUE_API_KEY: 'cli-key-0123456789abcdef0123456789abcd' };
  });
  after(() => harness.close());

  it('uploads, lists, shows, links and removes tracks, with exit status 0', async () => {
    const mp3 = await fixture('taggedMp3');
    const wav = await fixture('oneSecondWav');
    const upload = await segue(['upload', mp3.path, wav.path, '--json'], env);
    expect(upload.code, upload.stderr).to.equal(0);
    const results = JSON.parse(upload.stdout) as Array<{ file: string; track: { id: string; status: string; title: string } }>;
    expect(results.map((result) => result.track.status)).to.deep.equal(['ready', 'ready']);
    const [tagged, blip] = results.map((result) => result.track);

    const list = await segue(['list'], env);
    expect(list.code).to.equal(0);
    expect(list.stdout).to.match(/^ID\s+STATUS\s+DURATION\s+TRACK/);
    expect(list.stdout).to.contain(tagged!.id).and.contain(blip!.id);

    const search = await segue(['list', '--q', tagged!.title, '--json'], env);
    expect((JSON.parse(search.stdout) as Array<{ id: string }>).map((track) => track.id)).to.deep.equal([tagged!.id]);

    const info = await segue(['info', tagged!.id], env);
    expect(info.code).to.equal(0);
    expect(info.stdout).to.match(new RegExp(`^id:\\s+${tagged!.id}$`, 'm')).and.match(/^status:\s+ready$/m);

    const url = await segue(['url', tagged!.id], env);
    expect(url.stdout.trim()).to.equal(`${harness.origin}/function/stream/tracks/${tagged!.id}/master.m3u8`);
    expect((await fetch(url.stdout.trim())).status).to.equal(200);
    const share = await segue(['url', tagged!.id, '--kind', 'share'], env);
    expect(share.stdout.trim()).to.equal(`${harness.origin}/t/${tagged!.id}`);
    const onOpenFaas = await segue(['url', tagged!.id, '--kind', 'share'], { ...env, SEGUE_WEB_URL: 'https://gateway.test/function/web' });
    expect(onOpenFaas.stdout.trim()).to.equal(`https://gateway.test/function/web/t/${tagged!.id}`);

    const rm = await segue(['rm', tagged!.id, blip!.id], env);
    expect(rm.code, rm.stderr).to.equal(0);
    expect(rm.stdout).to.contain(`removed ${tagged!.id}`);
    expect(await harness.database.tracks.countDocuments()).to.equal(0);
  });

  it('uploads with the tags given, without waiting, and shows them, each link and the list in text and JSON', async () => {
    const wav = await fixture('oneSecondWav');
    const upload = await segue(['upload', wav.path, '--title', 'Harbour Lights', '--artist', 'The Tides', '--album', 'Low Water', '--no-wait'], env);
    expect(upload.code, upload.stderr).to.equal(0);
    const [id, status, ...rest] = upload.stdout.trim().split(/\s{2}/);
    expect(id).to.match(/^[0-9A-Za-z]{12}$/);
    expect(status, 'it did not wait').to.be.oneOf(['processing', 'ready']);
    expect(rest).to.deep.equal(['Harbour Lights', `${harness.origin}/t/${id}`]);

    const info = await segue(['info', id!], env);
    expect(info.code, info.stderr).to.equal(0);
    expect(info.stdout).to.match(/^title:\s+Harbour Lights$/m).and.match(/^artist:\s+The Tides$/m).and.match(/^album:\s+Low Water$/m);
    expect(info.stdout).to.match(/^status:\s+(processing \d+%|ready)$/m);
    // a second of 16-bit stereo at 44.1 kHz, and its header
    expect(info.stdout).to.match(new RegExp(`^source:\\s+${wav.filename} \\(PCM, 176\\.\\d KB\\)$`, 'm'));

    const asJson = await segue(['info', id!, '--json'], env);
    expect(JSON.parse(asJson.stdout)).to.deep.include({ id, title: 'Harbour Lights', artist: 'The Tides', album: 'Low Water' });
    for (const kind of ['original', 'cover']) {
      const link = await segue(['url', id!, '--kind', kind, '--json'], env);
      expect(JSON.parse(link.stdout), link.stderr).to.deep.equal({ id, kind, url: `${harness.origin}/function/stream/tracks/${id}/${kind}` });
    }

    const one = await segue(['list', '--limit', '1'], env);
    expect(one.stdout.trim().split('\n')).to.have.length(2);
    expect(one.stdout).to.contain('The Tides – Harbour Lights');
    const none = await segue(['list', '--q', 'no such tune anywhere'], env);
    expect(none.stdout.trim()).to.equal('no tracks');

    const rm = await segue(['rm', id!, '--json'], env);
    expect(JSON.parse(rm.stdout)).to.deep.equal({ removed: [id] });
    expect(await harness.database.tracks.countDocuments({ _id: id! })).to.equal(0);
  });

  it('says when a file was in the library already, in text and JSON, and names the track it is', async () => {
    const wav = await distinctCopy('oneSecondWav');
    const first = await segue(['upload', wav.path, '--no-wait'], env);
    expect(first.code, first.stderr).to.equal(0);
    const [id, ...fresh] = first.stdout.trim().split(/\s{2}/);
    expect(fresh.at(-1)).to.equal(`${harness.origin}/t/${id}`);

    const again = await segue(['upload', wav.path], env);
    expect(again.code, again.stderr).to.equal(0);
    const [sameId, status, , share, said] = again.stdout.trim().split(/\s{2}/);
    expect([sameId, status, share, said]).to.deep.equal([id, 'ready', `${harness.origin}/t/${id}`, 'already in your library']);
    const asJson = await segue(['upload', wav.path, '--json', '--no-wait'], env);
    const [result] = JSON.parse(asJson.stdout) as Array<{ track: { id: string; duplicate: boolean } }>;
    expect(result!.track).to.deep.include({ id, duplicate: true });

    expect((await segue(['rm', id!], env)).code).to.equal(0);
  });

  it('makes, shows, changes and deletes playlists, with exit status 0', async () => {
    const tracks = Array.from({ length: 3 }, () => readyTrack(newTrackId()));
    await harness.database.tracks.insertMany(tracks);
    const [a, b, c] = tracks.map((track) => track._id) as [string, string, string];

    const create = await segue(['playlist', 'create', 'Late Night', a, b, '--description', 'quiet ones'], env);
    expect(create.code, create.stderr).to.equal(0);
    const [id, name, share] = create.stdout.trim().split(/\s{2}/);
    expect(id).to.match(/^[0-9A-Za-z]{12}$/);
    expect([name, share]).to.deep.equal(['Late Night', `${harness.origin}/p/${id}`]);

    const add = await segue(['playlist', 'add', id!, c, '--position', '0'], env);
    expect(add.code, add.stderr).to.equal(0);
    expect(add.stdout.trim()).to.equal(`added 1 to ${id}, which holds 3`);
    const show = await segue(['playlist', 'show', id!], env);
    expect(show.stdout).to.match(/^name:\s+Late Night$/m).and.match(/^about:\s+quiet ones$/m).and.match(/^tracks:\s+3 \(/m);
    expect(show.stdout).to.match(new RegExp(`^share:\\s+${harness.origin}/p/${id}$`, 'm'));
    const order = (text: string) => [...text.matchAll(/^([0-9A-Za-z]{12})\s+ready/gm)].map((match) => match[1]);
    expect(order(show.stdout), 'the tracks in playing order').to.deep.equal([c, a, b]);

    expect((await segue(['playlist', 'order', id!, b, c, a], env)).code).to.equal(0);
    expect((await segue(['playlist', 'rename', id!, 'Small Hours'], env)).stdout.trim()).to.equal(`renamed ${id} to Small Hours`);
    expect((await segue(['playlist', 'remove', id!, c], env)).stdout.trim()).to.equal(`removed ${c} from ${id}`);
    const asJson = JSON.parse((await segue(['playlist', 'show', id!, '--json'], env)).stdout);
    expect(asJson).to.include({ id, name: 'Small Hours', description: 'quiet ones' });
    expect(asJson.trackIds).to.deep.equal([b, a]);

    const list = await segue(['playlist', 'list'], env);
    expect(list.stdout).to.match(new RegExp(`^ID\\s+TRACKS\\s+NAME\n${id}\\s+2\\s+Small Hours$`, 'm'));
    const deleted = await segue(['playlist', 'delete', id!], env);
    expect(deleted.stdout.trim()).to.equal(`deleted playlist ${id}`);
    expect((await segue(['playlist', 'list'], env)).stdout.trim()).to.equal('no playlists');
    await harness.database.tracks.deleteMany({ _id: { $in: [a, b, c] } });
  });

  it('prints the reason and exits with a status that says what happened', async () => {
    const random = await fixture('randomBytes');
    const cases: Array<{ args: string[]; env?: Record<string, string>; code: number; says: RegExp }> = [
      { args: [], code: 2, says: /Usage/ },
      { args: ['--help'], code: 0, says: /Usage/ },
      { args: ['list', '--colour'], code: 2, says: /Unknown option '--colour'/ },
      { args: ['frobnicate'], code: 2, says: /unknown command/ },
      { args: ['upload'], code: 2, says: /at least one file/ },
      { args: ['list', '--limit', '0'], code: 2, says: /--limit is a positive number/ },
      { args: ['info'], code: 2, says: /one track id/ },
      { args: ['info', 'AAAAAAAAAAAA', 'BBBBBBBBBBBB'], code: 2, says: /one track id/ },
      { args: ['rm'], code: 2, says: /at least one track id/ },
      { args: ['url'], code: 2, says: /one track id/ },
      { args: ['url', 'AAAAAAAAAAAA', '--kind', 'poster'], code: 2, says: /--kind is one of master, original, cover, share/ },
      { args: ['url', 'AAAAAAAAAAAA', '--kind', 'original'], code: 3, says: /not found/ },
      { args: ['info', 'AAAAAAAAAAAA'], code: 3, says: /not found/ },
      { args: ['upload', '/nonexistent/song.mp3'], code: 3, says: /no such file/ },
      { args: ['rm', 'AAAAAAAAAAAA'], env: { SEGUE_API_KEY: '' }, code: 4, says: /key/i },
      { args: ['upload', random.path], code: 5, says: /audio/ },
      { args: ['list'], env: { SEGUE_URL: `http://127.0.0.1:${await freePort()}` }, code: 7, says: /ECONNREFUSED/ },
      { args: ['playlist'], code: 2, says: /playlist takes one of create, list, show, add, remove, rename, order, delete/ },
      { args: ['playlist', 'create'], code: 2, says: /takes a name/ },
      { args: ['playlist', 'add', 'AAAAAAAAAAAA'], code: 2, says: /at least one track id/ },
      { args: ['playlist', 'add', 'AAAAAAAAAAAA', 'BBBBBBBBBBBB', '--position', '1.5'], code: 2, says: /--position is a whole number/ },
      { args: ['playlist', 'show', 'AAAAAAAAAAAA'], code: 3, says: /not found/ },
      { args: ['playlist', 'delete', 'AAAAAAAAAAAA'], env: { SEGUE_API_KEY: '' }, code: 4, says: /key/i },
      { args: ['playlist', 'create', 'Ghosts', 'AAAAAAAAAAAA'], code: 5, says: /not tracks/ },
    ];
    for (const { args, env: extra, code, says } of cases) {
      const run = await segue(args, { ...env, ...extra });
      expect(run.code, `segue ${args.join(' ')}: ${run.stderr}`).to.equal(code);
      expect(run.stdout + run.stderr, `segue ${args.join(' ')}`).to.match(says);
    }
  });

  it('prints the request id of an error answer on stderr, and puts it in the JSON of a failed upload', async () => {
    // a proxy in front that cannot reach the service, and names its answer as proxies do
    const proxy = createServer((req, res) => {
      req.resume();
      res.writeHead(502, { 'x-request-id': 'edge-5d1c' }).end('<html>Bad Gateway</html>');
    });
    await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve));
    try {
      const proxied = { ...env, SEGUE_URL: `http://127.0.0.1:${(proxy.address() as AddressInfo).port}` };
      const info = await segue(['info', 'AAAAAAAAAAAA'], proxied);
      expect(info.code, info.stderr).to.equal(7);
      expect(info.stderr).to.match(/^segue: .*Bad Gateway.* \(request id: edge-5d1c\)$/m);
      expect(info.stdout).to.equal('');
      const wav = await fixture('oneSecondWav');
      const upload = await segue(['upload', wav.path, '--json'], proxied);
      expect(upload.code, upload.stderr).to.equal(7);
      const [result] = JSON.parse(upload.stdout) as Array<{ error: { code: string | null; requestId: string | null } }>;
      expect(result!.error).to.include({ code: null, requestId: 'edge-5d1c' });
    } finally {
      proxy.closeAllConnections();
      proxy.close();
    }
  });
});
