import { createReadStream } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import { request } from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';
import { expect } from 'chai';
import type { Database } from '../../functions/shared/storage/database.js';
import { distinctCopy, fixture } from './fixtures.js';
import { dripUpload, jsonAnswer, piecesOf } from './net.js';
import { until } from './proc.js';

type Answer = Awaited<ReturnType<typeof dripUpload>>;

/**
 * What a crud replica runs with in the SIGTERM tests: stack.yml's drain, shortened for the tests' sake, and
 * one job at a time, so that a first track holding the slot keeps the ?wait=true track waiting at SIGTERM
 * however fast the machine.
 */
export const DRAIN_TEST_ENV = { healthcheck_interval: '2s', SHUTDOWN_GRACE_SECONDS: '10', MAX_CONCURRENT_JOBS: '1' };

/** The files of the three uploads `underWay` makes, as the tracks' `source.filename` has them. */
export const UNDER_WAY_FILES = ['holding.wav', 'waiting.wav', 'slow.wav'];

/** A file sent as a raw audio body, streamed from disk; resolves with the answer. */
export async function rawUpload(url: string, path: string, filename: string, headers: Record<string, string> = {}): Promise<Answer> {
  const size = (await stat(path)).size;
  return new Promise((resolve, reject) => {
    const req = request(url, { method: 'POST', headers: { 'Content-Type': 'audio/wav', 'Content-Length': size, 'X-Filename': filename, ...headers } });
    req.once('error', reject);
    req.once('response', (res) => jsonAnswer(res).then(resolve, reject));
    createReadStream(path).once('error', reject).pipe(req);
  });
}

/**
 * Puts a crud replica (at `url`, storing in `database`) where a rollout hurts most: a track transcoding in
 * the only job slot, a ?wait=true upload waiting behind it, and an upload still arriving, a piece every
 * 300 ms for about 3 s.
 */
export async function underWay(url: string, database: Database, headers: Record<string, string> = {}) {
  // bytes of its own, or the second upload would be answered with the first one's track
  const [long, secondLong] = await Promise.all([fixture('longWav'), distinctCopy('longWav')]);
  expect((await rawUpload(`${url}/tracks`, long.path, 'holding.wav', headers)).status).to.equal(202);
  const waiting = rawUpload(`${url}/tracks?wait=true`, secondLong.path, 'waiting.wav', headers);
  await until(async () => (await database.tracks.countDocuments({ 'source.filename': 'waiting.wav' })) === 1, 'the ?wait=true upload is accepted');
  // bytes no earlier test sent either, or it would be answered as a duplicate (200) rather than accepted
  const wav = await readFile((await distinctCopy('plainWav')).path);
  const port = Number(new URL(url).port);
  const arriving = dripUpload(port, piecesOf(wav, 10), { gapMs: 300, declaredBytes: wav.length, headers });
  // its first pieces on their way, well before its last
  await sleep(500);
  return {
    waiting,
    arriving,
    /** a new upload, small and sent whole, with the answer it gets */
    another: () => dripUpload(port, [wav], { gapMs: 0, declaredBytes: wav.length, headers }),
  };
}

/** Until the replica says it is draining: SIGTERM has reached the server. */
export const untilDraining = (url: string) => until(async () => (await fetch(`${url}/healthz`)).status === 503, 'the replica drains', 5000);

/** The tracks of `underWay`, each handed back: processing, its lease ended, for another replica to resume at once. */
export async function expectHandedBack(database: Database): Promise<void> {
  const tracks = await database.tracks.find({ 'source.filename': { $in: UNDER_WAY_FILES } }).toArray();
  expect(tracks.map((track) => [track.status, track.lease?.until.getTime()]), 'handed back for another replica').to.deep.equal(
    Array(UNDER_WAY_FILES.length).fill(['processing', 0]),
  );
}
