import { randomBytes } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buffer } from 'node:stream/consumers';
import { setImmediate as setImmediatePromise } from 'node:timers/promises';
import { expect } from 'chai';
import { newTrackId } from '../../../functions/shared/ids.js';
import { ORIGINAL_CHUNK_BYTES, originalChunkId, OriginalStore } from '../../../functions/shared/storage/original-store.js';
import { freshDatabase, type TestDatabase } from '../../support/database.js';

const METADATA = { filename: 'take one.flac', mimeType: 'audio/flac', sha256: '0'.repeat(64) };

describe('OriginalStore', () => {
  let database: TestDatabase;
  let originals: OriginalStore;
  let dir: string;
  let path: string;
  // two whole chunks and part of a third
  const bytes = randomBytes(2 * ORIGINAL_CHUNK_BYTES + 12_345);

  before(async () => {
    database = await freshDatabase();
    originals = new OriginalStore(database.originalFiles, database.originalChunks);
    dir = await mkdtemp(join(tmpdir(), 'segue-originals-'));
    path = join(dir, 'original');
    await writeFile(path, bytes);
  });
  after(async () => {
    await database.drop();
    await rm(dir, { recursive: true, force: true });
  });

  it('stores a file in chunks addressed by the track id and gives it back byte for byte', async () => {
    const id = newTrackId();
    await originals.save(id, path, METADATA);
    const file = await originals.find(id);
    expect(file).to.include({ _id: id, length: bytes.length, chunkSize: ORIGINAL_CHUNK_BYTES, filename: METADATA.filename });
    expect(await database.originalChunks.countDocuments({ files_id: id })).to.equal(3);
    expect(await database.originalChunks.findOne({ _id: originalChunkId(id, 2) })).to.include({ files_id: id, n: 2 });
    expect((await buffer(originals.open(file!))).equals(bytes)).to.equal(true);
  });

  it('answers any byte range, within a chunk or across chunk boundaries', async () => {
    const id = newTrackId();
    await originals.save(id, path, METADATA);
    const file = (await originals.find(id))!;
    const last = bytes.length - 1;
    const ranges = [
      [0, 0],
      [10, 99],
      [ORIGINAL_CHUNK_BYTES - 1, ORIGINAL_CHUNK_BYTES],
      [ORIGINAL_CHUNK_BYTES, 2 * ORIGINAL_CHUNK_BYTES - 1],
      [ORIGINAL_CHUNK_BYTES - 5, 2 * ORIGINAL_CHUNK_BYTES + 5],
      [last, last],
      [0, last],
    ] as const;
    for (const [start, end] of ranges) {
      const read = await buffer(originals.open(file, { start, end }));
      expect(read.equals(bytes.subarray(start, end + 1)), `bytes ${start}-${end}`).to.equal(true);
    }
  });

  it('copies an original to a local file, as a resumed job needs it', async () => {
    const id = newTrackId();
    await originals.save(id, path, METADATA);
    const copy = join(dir, `${id}.copy`);
    await originals.downloadTo(id, copy);
    expect((await readFile(copy)).equals(bytes)).to.equal(true);
  });

  it('deletes every chunk and the files document, and a second delete is no error', async () => {
    const id = newTrackId();
    await originals.save(id, path, METADATA);
    await originals.delete(id, bytes.length);
    await originals.delete(id, bytes.length);
    expect(await originals.find(id)).to.equal(null);
    expect(await database.originalChunks.countDocuments({ files_id: id })).to.equal(0);
  });

  it('deletes the chunks of an original whose files document was never written, from its size', async () => {
    const id = newTrackId();
    await originals.save(id, path, METADATA);
    await database.originalFiles.deleteOne({ _id: id });
    await originals.delete(id, bytes.length);
    expect(await database.originalChunks.countDocuments({ files_id: id })).to.equal(0);
  });

  it('leaves nothing behind when a save is aborted midway, a write under way included', async () => {
    const id = newTrackId();
    const big = join(dir, 'big');
    await writeFile(big, randomBytes(40 * ORIGINAL_CHUNK_BYTES));
    const controller = new AbortController();
    const saving = originals.save(id, big, METADATA, controller.signal);
    const outcome = saving.then(
      () => 'saved',
      (error: Error) => error.message,
    );
    while ((await database.originalChunks.countDocuments({ files_id: id })) === 0) await setImmediatePromise();
    controller.abort(new Error('the upload was refused'));
    expect(await outcome).to.match(/aborted|refused/);
    expect(await originals.find(id)).to.equal(null);
    expect(await database.originalChunks.countDocuments({ files_id: id })).to.equal(0);
  });

  it('fails the stream, rather than sending a hole, when a chunk is missing', async () => {
    const id = newTrackId();
    await originals.save(id, path, METADATA);
    await database.originalChunks.deleteOne({ _id: originalChunkId(id, 1) });
    const file = (await originals.find(id))!;
    await buffer(originals.open(file)).then(
      () => expect.fail('a stream with a missing chunk should fail'),
      (error: Error) => expect(error.message).to.contain(`chunk 1 of the original of track ${id} is missing`),
    );
  });
});
