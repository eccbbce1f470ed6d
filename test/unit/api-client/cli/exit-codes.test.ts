import { expect } from 'chai';
import { ExitCode, UsageError, exitCodeFor } from '../../../../api-client/src/cli/exit-codes.js';
import { ConnectionError, ProcessingError, TimeoutError, WaitTimeoutError, apiError } from '../../../../api-client/src/errors.js';
import type { ErrorCode } from '../../../../functions/core/errors.js';
import { toTrack } from '../../../../functions/core/schemas/track.js';
import { processingTrack } from '../../../support/track-documents.js';

/** An error as the client builds it from the server's answer. */
const answer = (status: number, code: ErrorCode | null) => apiError({ status, code, message: `answered ${status}`, headers: new Headers() });

describe('the CLI exit status', () => {
  const cases: Array<[string, unknown, ExitCode]> = [
    ['a wrong command line', new UsageError('one track id'), ExitCode.usage],
    ['a track whose processing failed', new ProcessingError(toTrack(processingTrack('AAAAAAAAAAAA', { owner: 'x', until: new Date(), attempts: 1 }, { status: 'failed', error: { code: 'undecodable_audio', message: 'no' } }))), ExitCode.processingFailed],
    ['a track that is not there', answer(404, 'not_found'), ExitCode.notFound],
    ['a local file that is not there', Object.assign(new Error('ENOENT: no such file'), { code: 'ENOENT' }), ExitCode.notFound],
    ['a missing API key', answer(401, 'unauthorized'), ExitCode.unauthorized],
    ['a key without the right', answer(403, 'forbidden'), ExitCode.unauthorized],
    ['a proxy forbidding the request with no Segue body', answer(403, null), ExitCode.unauthorized],
    ['a refused upload', answer(415, 'unsupported_media_type'), ExitCode.rejected],
    ['an upload over the limit', answer(413, 'payload_too_large'), ExitCode.rejected],
    ['a client error the client has no class for', answer(418, null), ExitCode.rejected],
    ['no answer at all', new ConnectionError('connect ECONNREFUSED 127.0.0.1:9'), ExitCode.unavailable],
    ['an answer too slow', new TimeoutError('no answer within 30000 ms'), ExitCode.unavailable],
    ['a track not ready in the time waited', new WaitTimeoutError('Track AAAAAAAAAAAA was not ready within 600 ms'), ExitCode.unavailable],
    ['being rate limited', answer(429, 'rate_limited'), ExitCode.unavailable],
    ['a database that is down', answer(503, 'database_unavailable'), ExitCode.unavailable],
    ['a busy service', answer(503, 'service_busy'), ExitCode.unavailable],
    ['the same file still being uploaded by someone else', answer(409, 'upload_in_progress'), ExitCode.unavailable],
    ['a gateway timing out with no Segue body', answer(504, null), ExitCode.unavailable],
    ['a server bug', answer(500, 'internal_error'), ExitCode.failure],
    ['anything else', new Error('unexpected'), ExitCode.failure],
  ];
  for (const [what, error, code] of cases) {
    it(`exits ${code} for ${what}`, () => {
      expect(exitCodeFor(error)).to.equal(code);
    });
  }
});
