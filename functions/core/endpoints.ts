import * as z from 'zod';
import type { ErrorCode } from './errors.js';
import {
  PlaylistAddTracksSchema,
  PlaylistCreateSchema,
  PlaylistIdSchema,
  PlaylistListQuerySchema,
  PlaylistListSchema,
  PlaylistSchema,
  PlaylistUpdateSchema,
} from './schemas/playlist.js';
import {
  TrackIdSchema,
  TrackListQuerySchema,
  TrackListSchema,
  TrackSchema,
  TrackUpdateSchema,
  UploadQuerySchema,
} from './schemas/track.js';
import { SHARE_ID } from './share-id.js';

/**
 * Every route either function answers, as data: the functions route and
 * validate with these, the SDK calls them, and the OpenAPI document is written
 * from them. Paths are relative to the function, in OpenAPI's `{param}` form.
 */
export interface EndpointSpec {
  function: 'crud' | 'stream';
  method: 'get' | 'head' | 'options' | 'post' | 'patch' | 'delete';
  path: string;
  summary: string;
  params?: z.ZodObject;
  query?: z.ZodObject;
  /** a JSON body, `upload` for the multipart/raw audio upload, or `tus` for a part of a resumable upload */
  body?: z.ZodType | 'upload' | 'tus';
  /** the largest JSON body taken (413 beyond), when 16 KiB is too little */
  bodyLimit?: string;
  /** status → JSON schema of the body, or the media type of a non-JSON body, or null for none */
  responses: Record<number, z.ZodType | { mediaType: string } | null>;
  /** status → what that answer means, where "success" would not say */
  meanings?: Record<number, string>;
  /** status → the headers that answer carries */
  headers?: Record<number, Record<string, ResponseHeader>>;
  /** headers the request carries (the tus protocol's) */
  requestHeaders?: Record<string, ResponseHeader>;
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
  schema: z.string().regex(new RegExp(`^tracks/${SHARE_ID}$`)),
  description: 'the track, relative to the function: tracks/<id>',
  required: true,
};
const DUPLICATE_OF: ResponseHeader = {
  schema: TrackIdSchema,
  description: 'the file is already in the library: nothing new was stored, and the answer is the track that holds these bytes (the same SHA-256)',
};

export const TrackParamsSchema = z.object({ id: TrackIdSchema });
const PlaylistParamsSchema = z.object({ id: PlaylistIdSchema });
const PlaylistTrackParamsSchema = PlaylistParamsSchema.extend({ trackId: TrackIdSchema });
const PLAYLIST_LOCATION: ResponseHeader = {
  schema: z.string().regex(new RegExp(`^playlists/${SHARE_ID}$`)),
  description: 'the playlist, relative to the function: playlists/<id>',
  required: true,
};
/** room for a full playlist's ids with the longest name and description, every character escaped */
const PLAYLIST_BODY_LIMIT = '64kb';
const RenditionParamsSchema = TrackParamsSchema.extend({ rendition: z.string().describe('a64, a128 or a256') });
const PlaylistVersionQuerySchema = z.object({
  v: z.string().optional().describe('the version the multivariant playlist names; once the playlist is another, 409 playlist_changed'),
});
const PlaylistRenditionParamsSchema = PlaylistParamsSchema.extend({ rendition: z.string().describe('a rung any of its tracks has: a64, a128 or a256') });
const SegmentParamsSchema = RenditionParamsSchema.extend({
  file: z.string().describe('init.mp4, or NNNNNN.m4s counted from 000000'),
});
const CoverSizeParamsSchema = TrackParamsSchema.extend({ width: z.string().describe("a width listed in the track's coverSizes") });

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

const HLS_PLAYLIST = { mediaType: 'application/vnd.apple.mpegurl' };
/** what a replica that has begun draining refuses: anything that would start work there */
const NEW_WORK_ERRORS: ErrorCode[] = ['shutting_down'];
const WRITE_ERRORS: ErrorCode[] = ['unauthorized', 'forbidden', 'rate_limited', 'database_unavailable'];
const STREAM_ERRORS: ErrorCode[] = ['validation_failed', 'not_found', 'method_not_allowed', 'database_unavailable'];
const JSON_BODY_ERRORS: ErrorCode[] = ['validation_failed', 'invalid_json', 'unsupported_media_type', 'payload_too_large'];
/** what a list of track ids can be refused for, besides being malformed */
const TRACK_LIST_ERRORS: ErrorCode[] = ['unknown_tracks', 'too_many_tracks'];
const PLAYBACK_ERRORS: ErrorCode[] = [...STREAM_ERRORS, 'track_not_ready', 'track_failed'];

const UploadParamsSchema = z.object({ id: TrackIdSchema.describe('the upload, which becomes the track of the same id') });
const TUS_RESUMABLE: ResponseHeader = { schema: z.literal('1.0.0'), description: 'the tus protocol version', required: true };
const UPLOAD_OFFSET: ResponseHeader = { schema: z.string().regex(/^\d+$/), description: 'the bytes the service holds', required: true };
const UPLOAD_EXPIRES: ResponseHeader = { schema: z.string(), description: 'when an unfinished upload is removed (UPLOAD_EXPIRY_HOURS after its creation), RFC 7231 date' };
const TRACK_OF_UPLOAD: ResponseHeader = { schema: TrackIdSchema, description: 'once the upload is complete: the track it became (its own id), or the track that already held its bytes' };
const TRACK_LOCATION: ResponseHeader = { schema: z.string().regex(new RegExp(`^\\.\\./tracks/${SHARE_ID}$`)), description: 'once complete: the track, relative to the upload: ../tracks/<id>' };
const FINISHED_HEADERS = { [TRACK_HEADER]: TRACK_OF_UPLOAD, Location: TRACK_LOCATION, [DUPLICATE_HEADER]: DUPLICATE_OF };
const UPLOAD_ERRORS: ErrorCode[] = ['validation_failed', 'tus_version_unsupported', 'not_found', 'upload_expired', 'service_busy', ...WRITE_ERRORS];
/** what every tus request but OPTIONS carries */
const TUS_REQUEST = { 'Tus-Resumable': { ...TUS_RESUMABLE, description: 'the tus protocol version: 1.0.0, else 412' } };
const UPLOAD_CHECKSUM: ResponseHeader = {
  schema: z.string().regex(/^(sha1|sha256|md5) [A-Za-z0-9+/]+={0,2}$/),
  description: 'the checksum of this request\'s bytes (tus checksum extension): a mismatch is 460 and none of them is kept',
};
/** what finishing a complete upload can answer: the same refusals as POST /tracks */
const INGEST_ERRORS: ErrorCode[] = ['unsupported_media_type', 'undecodable_audio', 'truncated_audio', 'too_long', 'checksum_mismatch', 'upload_in_progress'];

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
  uploadCapabilities: {
    function: 'crud',
    method: 'options',
    path: '/uploads',
    summary: 'Resumable uploads (tus 1.0): what the service supports, in Tus-Version, Tus-Extension, Tus-Max-Size and Tus-Checksum-Algorithm. Open without a key',
    responses: { 204: null },
    errors: [],
  },
  createUpload: {
    function: 'crud',
    method: 'post',
    path: '/uploads',
    summary:
      'Begin a resumable upload (tus creation): Tus-Resumable: 1.0.0, Upload-Length (at most MAX_UPLOAD_BYTES) and Upload-Metadata ' +
      '(base64 values of filename, filetype, title, artist, album, sha256). The body may carry the first bytes (creation-with-upload)',
    body: 'tus',
    requestHeaders: {
      ...TUS_REQUEST,
      'Upload-Length': { schema: z.string().regex(/^\d+$/), description: 'the whole upload, in bytes (at most MAX_UPLOAD_BYTES, else 413)', required: true },
      'Upload-Metadata': {
        schema: z.string().regex(/^[A-Za-z0-9_.-]+( [A-Za-z0-9+/]*={0,2})?(,[A-Za-z0-9_.-]+( [A-Za-z0-9+/]*={0,2})?)*$/),
        description: 'comma-separated `key base64value` pairs: filename, filetype, title, artist, album, sha256',
      },
      'Upload-Checksum': UPLOAD_CHECKSUM,
    },
    responses: { 201: null },
    meanings: { 201: 'created at Location (relative: uploads/<id>)' },
    headers: {
      201: {
        Location: { schema: z.string().regex(new RegExp(`^uploads/${SHARE_ID}$`)), description: 'the upload, relative to the function: uploads/<id>', required: true },
        'Tus-Resumable': TUS_RESUMABLE,
        'Upload-Expires': UPLOAD_EXPIRES,
      },
    },
    // the first bytes may be all of them: the upload is finished, with the same ingest as the last PATCH
    errors: [...UPLOAD_ERRORS, 'payload_too_large', 'upload_checksum_mismatch', ...INGEST_ERRORS, ...NEW_WORK_ERRORS],
    write: true,
  },
  uploadOffset: {
    function: 'crud',
    method: 'head',
    path: '/uploads/{id}',
    summary: 'Where a resumable upload stands (Upload-Offset of Upload-Length); once complete, the track it became (a finish cut short is finished first)',
    params: UploadParamsSchema,
    requestHeaders: TUS_REQUEST,
    responses: { 200: null },
    headers: { 200: { 'Tus-Resumable': TUS_RESUMABLE, 'Upload-Offset': UPLOAD_OFFSET, 'Upload-Length': UPLOAD_OFFSET, ...FINISHED_HEADERS } },
    errors: [...UPLOAD_ERRORS, ...INGEST_ERRORS],
    write: true,
  },
  appendUpload: {
    function: 'crud',
    method: 'patch',
    path: '/uploads/{id}',
    summary:
      'Send the next bytes of a resumable upload from Upload-Offset, optionally with Upload-Checksum (sha1, sha256 or md5, base64). ' +
      'The PATCH that completes it makes the track, with the same ingest as POST /tracks, and names it',
    params: UploadParamsSchema,
    body: 'tus',
    requestHeaders: {
      ...TUS_REQUEST,
      'Upload-Offset': { schema: z.string().regex(/^\d+$/), description: 'where these bytes go: the offset the service holds (HEAD), else 409', required: true },
      'Upload-Checksum': UPLOAD_CHECKSUM,
    },
    responses: { 204: null },
    headers: { 204: { 'Tus-Resumable': TUS_RESUMABLE, 'Upload-Offset': UPLOAD_OFFSET, 'Upload-Expires': UPLOAD_EXPIRES, ...FINISHED_HEADERS } },
    errors: [...UPLOAD_ERRORS, 'upload_offset_mismatch', 'upload_checksum_mismatch', 'payload_too_large', 'request_timeout', ...INGEST_ERRORS],
    write: true,
  },
  terminateUpload: {
    function: 'crud',
    method: 'delete',
    path: '/uploads/{id}',
    summary: 'Abandon a resumable upload (tus termination): it is removed with every byte it stored',
    params: UploadParamsSchema,
    requestHeaders: TUS_REQUEST,
    responses: { 204: null },
    errors: [...UPLOAD_ERRORS, 'upload_in_progress'],
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
  createPlaylist: {
    function: 'crud',
    method: 'post',
    path: '/playlists',
    summary: 'Make a playlist, empty or with tracks in the order given',
    body: PlaylistCreateSchema,
    bodyLimit: PLAYLIST_BODY_LIMIT,
    responses: { 201: PlaylistSchema },
    headers: { 201: { Location: PLAYLIST_LOCATION } },
    errors: [...JSON_BODY_ERRORS, ...TRACK_LIST_ERRORS, ...NEW_WORK_ERRORS, ...WRITE_ERRORS],
    write: true,
  },
  listPlaylists: {
    function: 'crud',
    method: 'get',
    path: '/playlists',
    summary: 'Every playlist, newest first, a page at a time; each says how many tracks it holds',
    query: PlaylistListQuerySchema,
    responses: { 200: PlaylistListSchema },
    errors: ['validation_failed', 'database_unavailable'],
  },
  retrievePlaylist: {
    function: 'crud',
    method: 'get',
    path: '/playlists/{id}',
    summary: 'One playlist with its tracks in playing order, everything a share page shows',
    params: PlaylistParamsSchema,
    responses: { 200: PlaylistSchema },
    errors: ['validation_failed', 'not_found', 'database_unavailable'],
  },
  updatePlaylist: {
    function: 'crud',
    method: 'patch',
    path: '/playlists/{id}',
    summary: 'Rename a playlist, describe it, or replace its tracks (which is how they are reordered)',
    params: PlaylistParamsSchema,
    body: PlaylistUpdateSchema,
    bodyLimit: PLAYLIST_BODY_LIMIT,
    responses: { 200: PlaylistSchema },
    errors: [...JSON_BODY_ERRORS, 'not_found', ...TRACK_LIST_ERRORS, ...WRITE_ERRORS],
    write: true,
  },
  addPlaylistTracks: {
    function: 'crud',
    method: 'post',
    path: '/playlists/{id}/tracks',
    summary: 'Insert tracks at a position (counted from 0), or at the end; a track already in the playlist is refused',
    params: PlaylistParamsSchema,
    body: PlaylistAddTracksSchema,
    bodyLimit: PLAYLIST_BODY_LIMIT,
    responses: { 200: PlaylistSchema },
    errors: [...JSON_BODY_ERRORS, 'not_found', 'already_in_playlist', ...TRACK_LIST_ERRORS, ...NEW_WORK_ERRORS, ...WRITE_ERRORS],
    write: true,
  },
  removePlaylistTrack: {
    function: 'crud',
    method: 'delete',
    path: '/playlists/{id}/tracks/{trackId}',
    summary: 'Take a track out of a playlist (the track itself stays in the library)',
    params: PlaylistTrackParamsSchema,
    responses: { 204: null },
    errors: ['validation_failed', 'not_found', ...WRITE_ERRORS],
    write: true,
  },
  deletePlaylist: {
    function: 'crud',
    method: 'delete',
    path: '/playlists/{id}',
    summary: 'Remove a playlist (its tracks stay in the library)',
    params: PlaylistParamsSchema,
    responses: { 204: null },
    errors: ['validation_failed', 'not_found', ...WRITE_ERRORS],
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
    responses: { 200: HLS_PLAYLIST, 304: null },
    errors: PLAYBACK_ERRORS,
  },
  mediaPlaylist: {
    function: 'stream',
    method: 'get',
    path: '/tracks/{id}/{rendition}/index.m3u8',
    summary: "A rendition's HLS media playlist",
    params: RenditionParamsSchema,
    responses: { 200: HLS_PLAYLIST, 304: null },
    errors: PLAYBACK_ERRORS,
  },
  playlistMasterPlaylist: {
    function: 'stream',
    method: 'get',
    path: '/playlists/{id}/master.m3u8',
    summary: "A playlist's HLS multivariant playlist: its ready tracks one after another, without a gap between them",
    params: PlaylistParamsSchema,
    responses: { 200: HLS_PLAYLIST, 304: null },
    meanings: { 409: 'none of its tracks is ready yet' },
    errors: [...STREAM_ERRORS, 'track_not_ready'],
  },
  playlistMediaPlaylist: {
    function: 'stream',
    method: 'get',
    path: '/playlists/{id}/{rendition}/index.m3u8',
    summary: "A playlist's HLS media playlist: each ready track's segments at its nearest rendition, a discontinuity between tracks",
    params: PlaylistRenditionParamsSchema,
    query: PlaylistVersionQuerySchema,
    responses: { 200: HLS_PLAYLIST, 304: null },
    meanings: { 409: 'none of its tracks is ready yet, or the playlist is no longer the version asked for' },
    errors: [...STREAM_ERRORS, 'track_not_ready', 'playlist_changed'],
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
  coverSize: {
    function: 'stream',
    method: 'get',
    path: '/tracks/{id}/cover/{width}.webp',
    summary: "The cover art resized, as WebP: one of the track's coverSizes, for an img srcset",
    params: CoverSizeParamsSchema,
    responses: { 200: { mediaType: 'image/webp' }, 304: null },
    errors: STREAM_ERRORS,
  },
} as const satisfies Record<string, EndpointSpec>;

export type EndpointName = keyof typeof endpoints;

/** `/tracks/{id}` → `/tracks/:id`, for Express. */
export const expressPath = (path: string) => path.replace(/\{(\w+)\}/g, ':$1');
