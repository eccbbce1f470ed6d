import { z } from 'zod';
import type { ErrorCode } from '../errors.js';
import {
  TrackIdSchema,
  TrackListQuerySchema,
  TrackListSchema,
  TrackSchema,
  TrackUpdateSchema,
  UploadQuerySchema,
} from '../schemas/track.js';

/**
 * Every route either function answers, as data: the functions route and
 * validate with these, the SDK calls them, and the OpenAPI document is written
 * from them. Paths are relative to the function, in OpenAPI's `{param}` form.
 */
export interface EndpointSpec {
  function: 'crud' | 'stream';
  method: 'get' | 'post' | 'patch' | 'delete';
  path: string;
  summary: string;
  params?: z.ZodObject;
  query?: z.ZodObject;
  /** a JSON body, or `upload` for the multipart/raw audio upload */
  body?: z.ZodType | 'upload';
  /** status → JSON schema of the body, or the media type of a non-JSON body, or null for none */
  responses: Record<number, z.ZodType | { mediaType: string } | null>;
  /** status → what that answer means, where "success" would not say */
  meanings?: Record<number, string>;
  /** status → the headers that answer carries */
  headers?: Record<number, Record<string, ResponseHeader>>;
  /** the error codes this route can answer with, besides `internal_error` */
  errors: ErrorCode[];
  /** writes need an API key when keys are configured */
  write?: boolean;
}

export interface ResponseHeader {
  schema: z.ZodType;
  description: string;
  /** sent with every answer of its status */
  required?: boolean;
}

/** Marks an upload answered with the track that already holds its bytes (the value is that track's id). */
export const DUPLICATE_HEADER = 'Segue-Duplicate-Of';
/** Names the track a finished resumable upload became, on its final PATCH and any HEAD after it. */
export const TRACK_HEADER = 'Segue-Track-Id';

const LOCATION: ResponseHeader = {
  schema: z.string().regex(/^tracks\/[0-9A-Za-z]{12}$/),
  description: 'the track, relative to the function: tracks/<id>',
  required: true,
};
const DUPLICATE_OF: ResponseHeader = {
  schema: TrackIdSchema,
  description: 'the file is already in the library: nothing new was stored, and the answer is the track that holds these bytes (the same SHA-256)',
};

export const TrackParamsSchema = z.object({ id: TrackIdSchema });
const RenditionParamsSchema = TrackParamsSchema.extend({ rendition: z.string().describe('a64, a128 or a256') });
const SegmentParamsSchema = RenditionParamsSchema.extend({
  file: z.string().describe('init.mp4, or NNNNNN.m4s counted from 000000'),
});

export const HealthSchema = z.object({ status: z.literal('ok') });

export const SweepResultSchema = z.object({
  resumed: z.number().int().describe('processing tracks taken over from a replica whose lease ran out'),
  failed: z.number().int().describe('tracks given up on after too many interrupted attempts'),
  expired: z.number().int().describe('tracks removed because nobody played them within TRACK_TTL_DAYS'),
  cleanedUp: z.number().int().describe('deletions and refused uploads cut short (the database away, a replica killed) whose stored parts were removed now'),
  uploadsExpired: z.number().int().describe('resumable uploads left unfinished past UPLOAD_EXPIRY_HOURS, removed with their bytes'),
  uploadsFinished: z.number().int().describe('complete resumable uploads whose finish was cut short (a replica died), made tracks now'),
});
export type SweepResult = z.infer<typeof SweepResultSchema>;

const PLAYLIST = { mediaType: 'application/vnd.apple.mpegurl' };
/** what a replica that has begun draining refuses: anything that would start work there */
const NEW_WORK_ERRORS: ErrorCode[] = ['shutting_down'];
const WRITE_ERRORS: ErrorCode[] = ['unauthorized', 'forbidden', 'rate_limited', 'database_unavailable'];
const STREAM_ERRORS: ErrorCode[] = ['validation_failed', 'not_found', 'method_not_allowed', 'database_unavailable'];
const PLAYBACK_ERRORS: ErrorCode[] = [...STREAM_ERRORS, 'track_not_ready', 'track_failed'];

export const endpoints = {
  createTrack: {
    function: 'crud',
    method: 'post',
    path: '/tracks',
    summary:
      'Upload an audio file: multipart/form-data with `file`, or a raw audio/* body named by X-Filename. ' +
      'A file already in the library is not stored again: the answer is its track, marked by Segue-Duplicate-Of',
    query: UploadQuerySchema,
    body: 'upload',
    responses: { 200: TrackSchema, 201: TrackSchema, 202: TrackSchema },
    meanings: {
      200: 'already in the library (the same SHA-256): nothing new is stored, and the answer is that track as it is (with ?wait=true, once processing has ended), marked by Segue-Duplicate-Of',
      201: 'with ?wait=true: the new track, once processing has ended (ready or failed)',
      202: 'the new track, processing; or, with Segue-Duplicate-Of, a failed track with the same bytes, processing again from its stored original',
    },
    headers: {
      200: { Location: LOCATION, [DUPLICATE_HEADER]: { ...DUPLICATE_OF, required: true } },
      201: { Location: LOCATION },
      202: { Location: LOCATION, [DUPLICATE_HEADER]: DUPLICATE_OF },
    },
    errors: [
      'validation_failed',
      'empty_upload',
      'payload_too_large',
      'request_timeout',
      'service_busy',
      'unsupported_media_type',
      'undecodable_audio',
      'truncated_audio',
      'too_long',
      'checksum_mismatch',
      'upload_in_progress',
      ...NEW_WORK_ERRORS,
      ...WRITE_ERRORS,
    ],
    write: true,
  },
  listTracks: {
    function: 'crud',
    method: 'get',
    path: '/tracks',
    summary: 'The library, newest first, a page at a time; `q` matches title, artist or album',
    query: TrackListQuerySchema,
    responses: { 200: TrackListSchema },
    errors: ['validation_failed', 'database_unavailable'],
  },
  retrieveTrack: {
    function: 'crud',
    method: 'get',
    path: '/tracks/{id}',
    summary: 'One track',
    params: TrackParamsSchema,
    responses: { 200: TrackSchema },
    errors: ['validation_failed', 'not_found', 'database_unavailable'],
  },
  updateTrack: {
    function: 'crud',
    method: 'patch',
    path: '/tracks/{id}',
    summary: "Change a track's tags; null clears one",
    params: TrackParamsSchema,
    body: TrackUpdateSchema,
    responses: { 200: TrackSchema },
    errors: ['validation_failed', 'invalid_json', 'unsupported_media_type', 'not_found', ...WRITE_ERRORS],
    write: true,
  },
  deleteTrack: {
    function: 'crud',
    method: 'delete',
    path: '/tracks/{id}',
    summary: 'Remove a track with its segments, original and cover',
    params: TrackParamsSchema,
    responses: { 204: null },
    errors: ['validation_failed', 'not_found', ...WRITE_ERRORS],
    write: true,
  },
  reprocessTrack: {
    function: 'crud',
    method: 'post',
    path: '/tracks/{id}/reprocess',
    summary: 'Process a failed track again, from its stored original',
    params: TrackParamsSchema,
    responses: { 202: TrackSchema },
    errors: ['validation_failed', 'not_found', 'track_not_failed', ...NEW_WORK_ERRORS, ...WRITE_ERRORS],
    write: true,
  },
  health: {
    function: 'crud',
    method: 'get',
    path: '/healthz',
    summary: 'Whether this replica takes requests: its database answers, and it is not shutting down',
    responses: { 200: HealthSchema },
    errors: ['database_unavailable', ...NEW_WORK_ERRORS],
  },
  sweep: {
    function: 'crud',
    method: 'post',
    path: '/sweep',
    summary:
      'Run one housekeeping pass: resume tracks whose processing lease ran out, remove tracks past TRACK_TTL_DAYS. ' +
      'Open without a key, idempotent, rate limited',
    responses: { 200: SweepResultSchema },
    errors: ['rate_limited', 'database_unavailable', ...NEW_WORK_ERRORS],
  },
  scheduledSweep: {
    function: 'crud',
    method: 'post',
    path: '/',
    summary: "The same pass as POST /sweep, at the function's root, where the cron-connector invokes a function",
    responses: { 200: SweepResultSchema },
    errors: ['rate_limited', 'database_unavailable', ...NEW_WORK_ERRORS],
  },
  openApi: {
    function: 'crud',
    method: 'get',
    path: '/openapi.json',
    summary: 'This document',
    responses: { 200: { mediaType: 'application/json' } },
    errors: [],
  },
  streamHealth: {
    function: 'stream',
    method: 'get',
    path: '/healthz',
    summary: 'Whether this replica takes requests: its database answers, and it is not shutting down',
    responses: { 200: HealthSchema },
    errors: ['database_unavailable', ...NEW_WORK_ERRORS],
  },
  masterPlaylist: {
    function: 'stream',
    method: 'get',
    path: '/tracks/{id}/master.m3u8',
    summary: 'The HLS multivariant playlist',
    params: TrackParamsSchema,
    responses: { 200: PLAYLIST, 304: null },
    errors: PLAYBACK_ERRORS,
  },
  mediaPlaylist: {
    function: 'stream',
    method: 'get',
    path: '/tracks/{id}/{rendition}/index.m3u8',
    summary: "A rendition's HLS media playlist",
    params: RenditionParamsSchema,
    responses: { 200: PLAYLIST, 304: null },
    errors: PLAYBACK_ERRORS,
  },
  segment: {
    function: 'stream',
    method: 'get',
    path: '/tracks/{id}/{rendition}/{file}',
    summary: 'An init segment or a media segment (fragmented MP4); Range supported',
    params: SegmentParamsSchema,
    responses: { 200: { mediaType: 'audio/mp4' }, 206: { mediaType: 'audio/mp4' }, 304: null },
    errors: [...PLAYBACK_ERRORS, 'range_not_satisfiable'],
  },
  original: {
    function: 'stream',
    method: 'get',
    path: '/tracks/{id}/original',
    summary: 'The uploaded file as it came, for download; Range supported',
    params: TrackParamsSchema,
    responses: { 200: { mediaType: 'application/octet-stream' }, 206: { mediaType: 'application/octet-stream' }, 304: null },
    errors: [...STREAM_ERRORS, 'range_not_satisfiable'],
  },
  cover: {
    function: 'stream',
    method: 'get',
    path: '/tracks/{id}/cover',
    summary: "The cover art from the file's tags",
    params: TrackParamsSchema,
    responses: { 200: { mediaType: 'image/*' }, 304: null },
    errors: STREAM_ERRORS,
  },
} as const satisfies Record<string, EndpointSpec>;

export type EndpointName = keyof typeof endpoints;

/** `/tracks/{id}` → `/tracks/:id`, for Express. */
export const expressPath = (path: string) => path.replace(/\{(\w+)\}/g, ':$1');
