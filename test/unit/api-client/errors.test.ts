import { expect } from 'chai';
import {
  AlreadyInPlaylistError,
  APIError,
  AuthenticationError,
  BadRequestError,
  ConflictError,
  ConnectionError,
  InternalServerError,
  NotFoundError,
  PayloadTooLargeError,
  RateLimitError,
  RequestTimeoutError,
  SegueError,
  ServiceBusyError,
  ServiceUnavailableError,
  ShuttingDownError,
  TimeoutError,
  UnknownTracksError,
  UnprocessableEntityError,
  UploadChecksumMismatchError,
  ValidationError,
  WaitTimeoutError,
  apiError,
  retryAfterMs,
} from '../../../api-client/src/errors.js';
import { type ErrorCode, errorStatus } from '../../../functions/core/errors.js';

const codes = Object.keys(errorStatus) as ErrorCode[];

/** An error as the client builds it from an answer with these parts. */
function answer(status: number, code: ErrorCode | null, extra: { headers?: Record<string, string>; requestId?: string; details?: Record<string, unknown> } = {}) {
  return apiError({ status, code, message: `answered ${status}`, headers: new Headers(extra.headers), details: extra.details, requestId: extra.requestId });
}

describe('the SDK errors', () => {
  describe('apiError, by code', () => {
    const expected: Array<[ErrorCode, new (...args: never[]) => APIError]> = [
      ['validation_failed', ValidationError],
      ['not_found', NotFoundError],
      ['already_in_playlist', AlreadyInPlaylistError],
      ['unknown_tracks', UnknownTracksError],
      ['upload_checksum_mismatch', UploadChecksumMismatchError],
      ['service_busy', ServiceBusyError],
      ['shutting_down', ShuttingDownError],
      ['database_unavailable', ServiceUnavailableError],
      ['request_timeout', RequestTimeoutError],
    ];
    for (const [code, ErrorClass] of expected) {
      it(`gives ${code} a ${ErrorClass.name}, keeping its status, code, message and details`, () => {
        const error = answer(errorStatus[code], code, { details: { trackIds: ['AAAAAAAAAAAA'] } });
        expect(error).to.be.instanceOf(ErrorClass).and.instanceOf(APIError).and.instanceOf(SegueError).and.instanceOf(Error);
        expect(error.constructor).to.equal(ErrorClass);
        expect(error.name).to.equal(ErrorClass.name);
        expect(error).to.include({ status: errorStatus[code], code });
        expect(error.details).to.deep.equal({ trackIds: ['AAAAAAAAAAAA'] });
      });
    }

    it('gives every code of the service its own class, named as its code says, never a bare APIError', () => {
      const plain = codes.filter((code) => answer(errorStatus[code], code).constructor === APIError);
      expect(plain).to.deep.equal([]);
      // no two codes share a class: catching one never catches another by mistake
      const classes = new Set(codes.map((code) => answer(errorStatus[code], code).constructor));
      expect(classes.size).to.equal(codes.length);
    });

    it('puts every code\'s class under the class its status alone implies, so a catch by status takes them all', () => {
      const astray = codes.filter((code) => {
        const status = errorStatus[code];
        const ByStatus = answer(status, null).constructor as new (...args: never[]) => APIError;
        return !(answer(status, code) instanceof ByStatus);
      });
      expect(astray).to.deep.equal([]);
    });

    it('trusts the code over the status: a 503 body saying service_busy is a ServiceBusyError, a 400 saying not_found a NotFoundError', () => {
      expect(answer(503, 'service_busy')).to.be.instanceOf(ServiceBusyError);
      expect(answer(400, 'not_found')).to.be.instanceOf(NotFoundError).and.not.instanceOf(BadRequestError);
    });
  });

  describe('apiError, by status alone (an answer without a Segue error body)', () => {
    const expected: Array<[number, new (...args: never[]) => APIError]> = [
      [400, BadRequestError],
      [401, AuthenticationError],
      [408, RequestTimeoutError],
      [409, ConflictError],
      [413, PayloadTooLargeError],
      [422, UnprocessableEntityError],
      [429, RateLimitError],
      [500, InternalServerError],
      [501, InternalServerError],
      [502, ServiceUnavailableError],
      [503, ServiceUnavailableError],
      [504, ServiceUnavailableError],
      [507, InternalServerError],
      [418, APIError],
      [410, APIError],
    ];
    for (const [status, ErrorClass] of expected) {
      it(`gives ${status} a ${ErrorClass.name}, with code null`, () => {
        const error = answer(status, null);
        expect(error.constructor).to.equal(ErrorClass);
        expect(error).to.include({ status, code: null });
        expect(error.details).to.deep.equal({});
      });
    }
  });

  describe('requestId', () => {
    it('is the X-Request-Id header, whatever its case', () => {
      expect(answer(404, 'not_found', { headers: { 'x-request-id': 'req-1' } }).requestId).to.equal('req-1');
      expect(answer(404, 'not_found', { headers: { 'X-Request-Id': 'req-2' } }).requestId).to.equal('req-2');
    });

    it('is the body\'s requestId without the header, and the header\'s when they differ', () => {
      expect(answer(500, 'internal_error', { requestId: 'body-1' }).requestId).to.equal('body-1');
      expect(answer(500, 'internal_error', { requestId: 'body-1', headers: { 'x-request-id': 'header-1' } }).requestId).to.equal('header-1');
    });

    it('is null without either, or with an empty header', () => {
      expect(answer(502, null).requestId).to.equal(null);
      expect(answer(502, null, { headers: { 'x-request-id': '' } }).requestId).to.equal(null);
    });

    it('stays out of the message', () => {
      const error = answer(404, 'not_found', { headers: { 'x-request-id': 'req-1' } });
      expect(error.message).to.equal('answered 404');
      expect(String(error)).to.equal('NotFoundError: answered 404');
    });
  });

  describe('retryAfterMs', () => {
    it('reads Retry-After in seconds', () => {
      expect(retryAfterMs(new Headers({ 'retry-after': '5' }))).to.equal(5_000);
      expect(retryAfterMs(new Headers({ 'retry-after': '0' }))).to.equal(0);
      expect(retryAfterMs(new Headers({ 'retry-after': '1.5' }))).to.equal(1_500);
    });

    it('reads Retry-After as an HTTP date, from now, and never below 0', () => {
      const inAMinute = new Date(Date.now() + 60_000).toUTCString();
      // an HTTP date has whole seconds: up to a second of it is gone already
      expect(retryAfterMs(new Headers({ 'retry-after': inAMinute }))).to.be.within(58_000, 60_000);
      expect(retryAfterMs(new Headers({ 'retry-after': new Date(Date.now() - 60_000).toUTCString() }))).to.equal(0);
      expect(retryAfterMs(new Headers({ 'retry-after': '-3' }))).to.equal(0);
    });

    it('is null without the header or with one that is neither seconds nor a date', () => {
      expect(retryAfterMs(new Headers())).to.equal(null);
      expect(retryAfterMs(new Headers({ 'retry-after': 'soon' }))).to.equal(null);
    });

    it('is on every APIError, from its headers', () => {
      expect(answer(429, 'rate_limited', { headers: { 'retry-after': '30' } }).retryAfterMs).to.equal(30_000);
      expect(answer(409, 'upload_in_progress').retryAfterMs).to.equal(null);
    });
  });

  describe('the rest of the hierarchy', () => {
    it('makes a TimeoutError a ConnectionError, and a WaitTimeoutError neither', () => {
      const timeout = new TimeoutError('No answer within 300 ms');
      expect(timeout).to.be.instanceOf(ConnectionError).and.instanceOf(SegueError);
      expect(timeout.name).to.equal('TimeoutError');
      const wait = new WaitTimeoutError('Track AAAAAAAAAAAA was not ready within 600 ms');
      expect(wait).to.be.instanceOf(SegueError).and.not.instanceOf(ConnectionError).and.not.instanceOf(TimeoutError);
      expect(wait.name).to.equal('WaitTimeoutError');
    });

    it('keeps the cause of a ConnectionError', () => {
      const cause = new Error('connect ECONNREFUSED 127.0.0.1:9');
      expect(new ConnectionError('Could not reach it', { cause }).cause).to.equal(cause);
    });

    it('lists each field\'s problems in a ValidationError\'s message and fields', () => {
      const error = answer(400, 'validation_failed', { details: { fields: { id: ['must be a track id'], limit: ['at most 100', 'a number'] } } });
      expect((error as ValidationError).fields).to.deep.equal({ id: ['must be a track id'], limit: ['at most 100', 'a number'] });
      expect(error.message).to.equal('answered 400 (id: must be a track id; limit: at most 100, a number)');
      expect((answer(400, 'validation_failed') as ValidationError).fields).to.deep.equal({});
      expect(answer(400, 'validation_failed').message).to.equal('answered 400');
    });
  });
});
