import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { finished } from 'node:stream/promises';
import { expect } from 'chai';
import { DUPLICATE_HEADER, TRACK_HEADER } from '../../../functions/core/endpoints.js';
import type { Track } from '../../../functions/core/schemas/track.js';
import { ORIGINAL_CHUNK_BYTES, OriginalStore } from '../../../functions/shared/storage/original-store.js';
import { type CrudHarness, expectNothingStored, startCrud, storedCounts } from '../../support/crud.js';
import { distinctCopy } from '../../support/fixtures.js';
import { sha1Base64, tusRequests } from '../../support/tus.js';

const TRACK = TRACK_HEADER.toLowerCase();
const DUPLICATE = DUPLICATE_HEADER.toLowerCase();
const API_KEY = 'tus-key-0123456789abcdef0123456789abcdef';

const sha256 = (data: Buffer) => createHash('sha256').update(data).digest('hex');

/** `data` cut into pieces of `size` bytes (the last one shorter). */
const piecesOf = (data: Buffer, size: number) => {
  const pieces: Buffer[] = [];
  for (let start = 0; start < data.length; start += size) pieces.push(data.subarray(start, start + size));
  return pieces;
};

describe('resumable uploads (tus 1.0)', function () {
  this.timeout(120_000);
  let harness: CrudHarness;
  let tus: ReturnType<typeof tusRequests>;
  let wav: Buffer;

  beforeEach(async () => {
    harness = await startCrud({ SWEEP_INTERVAL_SECONDS: '0' });
    tus = tusRequests(harness.http);
    wav = await readFile((await distinctCopy('plainWav')).path);
  });
  afterEach(async () => {
    await harness.close();
  });

  /** Creates an upload of `data` and sends all of it, in PATCHes of `pieceBytes`; the answer to the last one. */
  async function uploadWhole(data: Buffer, pieceBytes = 300_000) {
    const created = await tus.create(data.length);
    expect(created.status, created.text).to.equal(201);
    const location = created.headers.location as string;
    let offset = 0;
    let last;
    for (const piece of piecesOf(data, pieceBytes)) {
      last = await tus.patch(location, offset, piece);
      expect(last.status, last.text).to.equal(204);
      offset += piece.length;
      expect(Number(last.headers['upload-offset'])).to.equal(offset);
    }
    return { location, last: last! };
  }

  const waitReady = async (id: string): Promise<Track> => {
    for (;;) {
      const track = (await harness.http.get(`/tracks/${id}`)).body as Track;
      if (track.status !== 'processing') return track;
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  };

  it('says what it supports to OPTIONS: tus 1.0.0, its extensions, the largest upload and the checksum algorithms', async () => {
    const answer = await harness.http.options('/uploads');
    expect(answer.status).to.equal(204);
    expect(answer.headers['tus-version']).to.equal('1.0.0');
    expect(answer.headers['tus-extension']?.split(',')).to.include.members(['creation', 'termination', 'checksum', 'expiration']);
    expect(Number(answer.headers['tus-max-size'])).to.equal(harness.config.maxUploadBytes);
    expect(answer.headers['tus-checksum-algorithm']?.split(',')).to.include('sha1');
  });

  it('creates an upload at a relative Location that expires, and HEAD tells its offset and length', async () => {
    const created = await tus.create(wav.length);
    expect(created.status).to.equal(201);
    expect(created.headers.location).to.match(/^uploads\/[0-9A-Za-z]{12}$/);
    expect(Date.parse(created.headers['upload-expires'] as string) - Date.now()).to.be.closeTo(24 * 3600_000, 60_000);
    const head = await tus.head(created.headers.location as string);
    expect(head.status).to.equal(200);
    expect(head.headers).to.include({ 'upload-offset': '0', 'upload-length': String(wav.length), 'cache-control': 'no-store' });
  });

  it('takes the file in several PATCHes and makes it a ready track whose original is the bytes sent', async () => {
    const { location, last } = await uploadWhole(wav);
    const id = last.headers[TRACK] as string;
    expect(id, 'the final PATCH names the track').to.match(/^[0-9A-Za-z]{12}$/);
    expect(last.headers.location).to.equal(`../tracks/${id}`);
    expect(location, 'the upload becomes the track of the same id').to.equal(`uploads/${id}`);
    const head = await tus.head(location);
    expect(head.headers[TRACK], 'a client that lost the final answer finds the track with HEAD').to.equal(id);

    const track = await waitReady(id);
    expect(track.status).to.equal('ready');
    expect(track.source).to.include({ bytes: wav.length, sha256: sha256(wav), filename: 'song.wav' });
    const originals = new OriginalStore(harness.database.originalFiles, harness.database.originalChunks);
    const stored = await originals.find(id);
    const digest = createHash('sha256');
    for await (const piece of originals.open(stored!)) digest.update(piece as Buffer);
    expect(digest.digest('hex'), 'the stored original is the bytes sent').to.equal(sha256(wav));
    expect(await storedCounts(harness)).to.deep.include({ tracks: 1, originals: 1, removals: 0, tempEntries: 0 });
  });

  it('answers a second identical upload with the track that holds its bytes, and keeps none of them', async () => {
    const first = await uploadWhole(wav);
    const id = first.last.headers[TRACK] as string;
    await waitReady(id);
    const chunksBefore = (await storedCounts(harness)).originalChunks;
    const second = await uploadWhole(wav, 1_000_000);
    expect(second.last.headers[TRACK]).to.equal(id);
    expect(second.last.headers[DUPLICATE]).to.equal(id);
    const stored = await storedCounts(harness);
    expect(stored.originalChunks, 'the duplicate’s chunks are gone').to.equal(chunksBefore);
    expect(stored).to.deep.include({ tracks: 1, originals: 1, removals: 0, tempEntries: 0 });
  });

  it('refuses a PATCH at the wrong offset with 409 and changes nothing', async () => {
    const created = await tus.create(wav.length);
    const location = created.headers.location as string;
    expect((await tus.patch(location, 0, wav.subarray(0, 1000))).status).to.equal(204);
    const wrong = await tus.patch(location, 500, wav.subarray(500, 2000));
    expect(wrong.status).to.equal(409);
    expect(wrong.body.error.code).to.equal('upload_offset_mismatch');
    expect((await tus.head(location)).headers['upload-offset']).to.equal('1000');
  });

  it('keeps none of a PATCH whose body does not match Upload-Checksum (460), and takes it once it does', async () => {
    const created = await tus.create(wav.length);
    const location = created.headers.location as string;
    expect((await tus.patch(location, 0, wav.subarray(0, 700_000), { 'Upload-Checksum': `sha1 ${sha1Base64(wav.subarray(0, 700_000))}` })).status).to.equal(204);
    const piece = wav.subarray(700_000, 1_500_000);
    const mismatch = await tus.patch(location, 700_000, piece, { 'Upload-Checksum': `sha1 ${sha1Base64(Buffer.from('something else'))}` });
    expect(mismatch.status).to.equal(460);
    expect(mismatch.body.error.code).to.equal('upload_checksum_mismatch');
    expect((await tus.head(location)).headers['upload-offset'], 'none of it was kept').to.equal('700000');
    const unknown = await tus.patch(location, 700_000, piece, { 'Upload-Checksum': `crc32 ${sha1Base64(piece)}` });
    expect(unknown.status, 'an algorithm it does not check is a 400').to.equal(400);
    const matching = await tus.patch(location, 700_000, wav.subarray(700_000), { 'Upload-Checksum': `sha1 ${sha1Base64(wav.subarray(700_000))}` });
    expect(matching.status, matching.text).to.equal(204);
    const track = await waitReady(matching.headers[TRACK] as string);
    expect(track.source.sha256, 'the chunk rewritten after the mismatch holds the right bytes').to.equal(sha256(wav));
  });

  it('refuses a complete upload whose bytes differ from the sha256 of its metadata with 422, keeping nothing', async () => {
    const created = await tus.create(wav.length, { filename: 'song.wav', sha256: sha256(Buffer.from('other bytes')) });
    expect(created.status).to.equal(201);
    const refused = await tus.patch(created.headers.location as string, 0, wav);
    expect(refused.status).to.equal(422);
    expect(refused.body.error.code).to.equal('checksum_mismatch');
    await expectNothingStored(harness);
  });

  it('removes an upload and every byte of it on DELETE (termination), after which it is unknown', async () => {
    const created = await tus.create(wav.length);
    const location = created.headers.location as string;
    expect((await tus.patch(location, 0, wav.subarray(0, 1_200_000))).status).to.equal(204);
    expect((await tus.terminate(location)).status).to.equal(204);
    const gone = await tus.patch(location, 1_200_000, wav.subarray(1_200_000));
    expect(gone.status).to.equal(404);
    expect(gone.body.error.code).to.equal('not_found');
    expect((await tus.head(location)).status).to.equal(404);
    await expectNothingStored(harness);
  });

  it('refuses an Upload-Length above MAX_UPLOAD_BYTES with 413 before a byte is stored', async () => {
    const answer = await tus.create(harness.config.maxUploadBytes + 1);
    expect(answer.status).to.equal(413);
    expect(answer.body.error.code).to.equal('payload_too_large');
    await expectNothingStored(harness);
  });

  it('answers 404 for an upload it does not know, and 415 for a PATCH that is not application/offset+octet-stream', async () => {
    const unknown = await tus.patch('uploads/AAAAAAAAAAAA', 0, Buffer.from('x'));
    expect(unknown.status).to.equal(404);
    expect(unknown.body.error.code).to.equal('not_found');
    const created = await tus.create(wav.length);
    const wrongType = await tus.patch(created.headers.location as string, 0, wav.subarray(0, 100), { 'Content-Type': 'audio/wav' });
    expect(wrongType.status).to.equal(415);
    expect(wrongType.body.error.code).to.equal('unsupported_media_type');
  });

  it('refuses Upload-Metadata it does not take with 400 and per-field details, storing nothing', async () => {
    const unknownKey = await tus.create(wav.length, { filename: 'a.wav', colour: 'blue' });
    expect(unknownKey.status).to.equal(400);
    expect(unknownKey.body.error.details.fields).to.have.property('colour');
    const badType = await tus.create(wav.length, { filename: 'a.wav', filetype: 'not a type' });
    expect(badType.status).to.equal(400);
    expect(badType.body.error.details.fields).to.have.property('filetype');
    const noTus = await harness.http.post('/uploads').set('Upload-Length', '10');
    expect(noTus.status, 'without Tus-Resumable').to.equal(412);
    expect(noTus.body.error.code).to.equal('tus_version_unsupported');
    // a malformed upload id is a bad request, whatever else the request lacks
    const malformed = await harness.http.head('/uploads/not-an-id').set('Tus-Resumable', '1.0.0');
    expect(malformed.status).to.equal(400);
    const malformedDelete = await harness.http.delete('/uploads/not-an-id');
    expect([malformedDelete.status, malformedDelete.body.error.code]).to.deep.equal([400, 'validation_failed']);
    await expectNothingStored(harness);
  });

  it('cleans the file name from Upload-Metadata as a direct upload’s', async () => {
    const created = await tus.create(wav.length, { filename: '../../etc/\u0001passwd.wav', filetype: 'audio/wav' });
    expect(created.status).to.equal(201);
    const head = await tus.head(created.headers.location as string);
    const metadata = Object.fromEntries(
      (head.headers['upload-metadata'] as string).split(',').map((pair) => {
        const [key, value] = pair.split(' ');
        return [key, Buffer.from(value ?? '', 'base64').toString()];
      }),
    );
    expect(metadata.filename).to.equal('passwd.wav');
  });

  /** An upload whose bytes are all stored, left as a replica leaves it when it dies while it makes the track. */
  async function cutFinishShort(): Promise<string> {
    const created = await tus.create(wav.length);
    const location = created.headers.location as string;
    const id = location.split('/')[1]!;
    const rest = ORIGINAL_CHUNK_BYTES;
    expect(wav.length, "the last part is in a chunk of its own").to.be.greaterThan(rest);
    expect((await tus.patch(location, 0, wav.subarray(0, rest))).status).to.equal(204);
    const originals = new OriginalStore(harness.database.originalFiles, harness.database.originalChunks);
    const writer = originals.openWriter(id, undefined, { firstChunk: 1, head: Buffer.alloc(0) });
    writer.stream.end(wav.subarray(rest));
    await finished(writer.stream);
    await harness.database.uploads.updateOne(
      { _id: id },
      { $set: { offset: wav.length, finishing: { owner: 'a-replica-that-died', until: new Date(Date.now() - 1000) } } },
    );
    return id;
  }

  it('finishes an upload whose finish was cut short when the client asks with HEAD, once', async () => {
    const id = await cutFinishShort();
    const [head, again] = await Promise.all([tus.head(`uploads/${id}`), tus.head(`uploads/${id}`)]);
    expect(head.status).to.equal(200);
    expect(head.headers[TRACK]).to.equal(id);
    expect(again.headers[TRACK]).to.equal(id);
    const track = await waitReady(id);
    expect(track.status).to.equal('ready');
    expect(track.source.sha256).to.equal(sha256(wav));
    expect((await storedCounts(harness)).tracks, 'two asks, one track').to.equal(1);
  });

  it('finishes an upload whose finish was cut short in the sweeper', async () => {
    const id = await cutFinishShort();
    expect((await harness.crud.sweeper.sweep()).uploadsFinished).to.equal(1);
    const track = await waitReady(id);
    expect(track.source.sha256).to.equal(sha256(wav));
    expect((await tus.head(`uploads/${id}`)).headers[TRACK]).to.equal(id);
  });

  it('expires an abandoned upload in the sweeper, leaving no upload, no chunk and no temp file', async () => {
    const created = await tus.create(wav.length);
    const location = created.headers.location as string;
    expect((await tus.patch(location, 0, wav.subarray(0, 1_300_000))).status).to.equal(204);
    expect((await harness.crud.sweeper.sweep()).uploadsExpired, 'not before its time').to.equal(0);
    expect((await storedCounts(harness)).originalChunks).to.equal(2);
    await harness.database.uploads.updateMany({}, { $set: { expiresAt: new Date(Date.now() - 1000) } });
    await harness.database.removals.updateMany({}, { $set: { since: new Date(Date.now() - 2 * 3600_000) } });
    expect((await harness.crud.sweeper.sweep()).uploadsExpired).to.equal(1);
    await expectNothingStored(harness);
    const expired = await tus.head(location);
    expect(expired.status).to.equal(404);
  });

  it('leaves a paused upload alone in the sweeper however quiet its note has gone, until it expires', async () => {
    const created = await tus.create(wav.length);
    const location = created.headers.location as string;
    expect((await tus.patch(location, 0, wav.subarray(0, 1_300_000))).status).to.equal(204);
    await harness.database.removals.updateMany({}, { $set: { since: new Date(Date.now() - 2 * 3600_000) } });
    expect((await harness.crud.sweeper.sweep()).cleanedUp).to.equal(0);
    const resumed = await tus.patch(location, 1_300_000, wav.subarray(1_300_000));
    expect(resumed.status, resumed.text).to.equal(204);
    expect(resumed.headers[TRACK]).to.match(/^[0-9A-Za-z]{12}$/);
  });
});

describe('resumable uploads from a web page', function () {
  const ORIGIN = 'https://player.example';
  let harness: CrudHarness;
  before(async () => {
    harness = await startCrud({ CORS_ORIGINS: ORIGIN });
  });
  after(async () => {
    await harness.close();
  });

  it('lets a named origin send tus headers and read the offset, expiry and track', async () => {
    const preflight = await harness.http
      .options('/uploads')
      .set({ Origin: ORIGIN, 'Access-Control-Request-Method': 'POST', 'Access-Control-Request-Headers': 'tus-resumable, upload-length, upload-metadata' });
    expect(preflight.status).to.equal(204);
    const allowed = (preflight.headers['access-control-allow-headers'] as string).toLowerCase();
    for (const header of ['tus-resumable', 'upload-length', 'upload-metadata', 'upload-offset', 'upload-checksum']) expect(allowed).to.contain(header);
    const created = await tusRequests(harness.http).create(1000).set('Origin', ORIGIN);
    expect(created.status).to.equal(201);
    expect(created.headers['access-control-allow-origin']).to.equal(ORIGIN);
    const exposed = (created.headers['access-control-expose-headers'] as string).toLowerCase();
    for (const header of ['location', 'upload-offset', 'upload-expires', TRACK, DUPLICATE]) expect(exposed).to.contain(header);
  });
});

describe('resumable uploads with API_KEYS', function () {
  this.timeout(60_000);
  let harness: CrudHarness;
  before(async () => {
    harness = await startCrud({ API_KEYS: API_KEY });
  });
  after(async () => {
    await harness.close();
  });

  it('needs the key to create, continue or ask about an upload, not to ask what the server supports', async () => {
    const tus = tusRequests(harness.http);
    const refused = await tus.create(1000);
    expect(refused.status).to.equal(401);
    expect(refused.body.error.code).to.equal('unauthorized');
    expect((await harness.http.options('/uploads')).status).to.equal(204);
    const created = await tus.create(1000).set('Authorization', `Bearer ${API_KEY}`);
    expect(created.status).to.equal(201);
    expect((await tus.head(created.headers.location as string)).status).to.equal(401);
    expect((await tus.patch(created.headers.location as string, 0, Buffer.alloc(10))).status).to.equal(401);
    await harness.http.delete(`/${created.headers.location as string}`).set('Tus-Resumable', '1.0.0').set('Authorization', `Bearer ${API_KEY}`);
    await expectNothingStored(harness);
  });
});
