import { setTimeout as sleep } from 'node:timers/promises';
import { expect } from 'chai';
import supertest from 'supertest';
import type { Fixture } from './fixtures.js';
import { startFunctionProcess } from './function-process.js';

/**
 * Uploads `file` to a crud process that is then killed, and twice more lets a
 * new process take the track over and kills it too, as replicas dying under
 * it would; it returns once the last lease has run out, when the next sweep
 * gives the track up (`too_many_attempts`). `env` names the database, with a
 * short `LEASE_SECONDS` and `SWEEP_INTERVAL_SECONDS=0`, so that each process
 * takes the track over on cue. Answers the track's id.
 */
export async function killReplicasUnderTrack(env: Record<string, string>, file: Fixture): Promise<string> {
  const leaseRunsOut = () => sleep(Number(env.LEASE_SECONDS) * 1000 + 500);
  const doomed = await startFunctionProcess('crud', env);
  const created = await supertest(doomed.url).post('/tracks').attach('file', file.path, file.filename);
  expect(created.status).to.equal(202);
  doomed.child.kill('SIGKILL');
  for (let attempt = 2; attempt <= 3; attempt++) {
    await leaseRunsOut();
    const next = await startFunctionProcess('crud', env);
    try {
      expect((await supertest(next.url).post('/sweep')).body.resumed).to.equal(1);
    } finally {
      next.child.kill('SIGKILL');
    }
  }
  await leaseRunsOut();
  return created.body.id as string;
}
