import * as z from 'zod';
import { AAC_LC } from '../hls.js';
import { SHARE_ID } from '../share-id.js';
import { PageQuerySchema, pageSchema } from './page.js';

export const shareIdSchema = (what: string) => z.string().regex(new RegExp(`^${SHARE_ID}$`), `a ${what} id is 12 letters and digits`);

export const TrackIdSchema = shareIdSchema('track');

export const TrackStatusSchema = z.enum(['processing', 'ready', 'failed']);
export type TrackStatus = z.infer<typeof TrackStatusSchema>;

/** Rung names carry their nominal bitrate in kbit/s. */
export const RenditionIdSchema = z.enum(['a64', 'a128', 'a256']);
export type RenditionId = z.infer<typeof RenditionIdSchema>;

/**
 * At least one character that is not a space: what `min(1)` after `trim()` means, in a pattern the OpenAPI
 * document carries. JavaScript's white space is written out, since Python's `re` (schemathesis) reads `\s` otherwise.
 */
export const NOT_ONLY_SPACES = new RegExp('[^\\t\\n\\v\\f\\r \\u00a0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000\\ufeff]');
const title = z.string().trim().min(1).max(300).regex(NOT_ONLY_SPACES, 'not only spaces');
const tagText = z.string().trim().min(1).max(300).regex(NOT_ONLY_SPACES, 'not only spaces');

export const TagsSchema = z.object({
  title,
  artist: tagText.nullable(),
  album: tagText.nullable(),
  year: z.number().int().min(0).max(9999).nullable(),
  genre: tagText.nullable(),
  trackNumber: z.number().int().min(1).max(9999).nullable(),
});
export type Tags = z.infer<typeof TagsSchema>;

export const SourceSchema = z.object({
  filename: z.string(),
  mimeType: z.string(),
  container: z.string(),
  codec: z.string(),
  /** the audio's average bits per second over the whole file (its size less its cover art, over its decoded length) */
  bitrate: z.number().int().nonnegative().nullable(),
  sampleRate: z.number().int().positive(),
  channels: z.number().int().positive(),
  bitsPerSample: z.number().int().positive().nullable(),
  bytes: z.number().int().positive(),
  sha256: z.string().regex(/^[0-9a-f]{64}$/),
});
export type Source = z.infer<typeof SourceSchema>;

export const RenditionSchema = z.object({
  id: RenditionIdSchema,
  /** RFC 6381 codec string, as HLS `CODECS` wants it */
  codecs: z.literal(AAC_LC),
  /** the encoder's target, bits per second */
  bitrate: z.number().int().positive(),
  channels: z.number().int().min(1).max(2),
  sampleRate: z.number().int().positive(),
  /** measured: the largest segment bit rate, bits per second (HLS `BANDWIDTH`) */
  peakBandwidth: z.number().int().positive(),
  /** measured: all segment bits over all segment time (HLS `AVERAGE-BANDWIDTH`) */
  averageBandwidth: z.number().int().positive(),
  segmentCount: z.number().int().positive(),
  /** HLS `EXT-X-TARGETDURATION`: the longest segment, rounded to the nearest second */
  targetDuration: z.number().int().positive(),
  /** the sum of the segment durations */
  durationSec: z.number().positive(),
});
export type Rendition = z.infer<typeof RenditionSchema>;

/** What is stored per rendition: the public facts plus each segment's duration, for the playlists. */
export const StoredRenditionSchema = RenditionSchema.extend({
  segmentDurations: z.array(z.number().positive()).min(1),
});
export type StoredRendition = z.infer<typeof StoredRenditionSchema>;

/**
 * A rung still being encoded: what its playlists are written from while they
 * grow, the segments stored so far in order. Gone once the track is ready.
 */
export const GrowingRenditionSchema = z.object({
  bitrate: z.number().int().positive(),
  channels: z.number().int().min(1).max(2),
  sampleRate: z.number().int().positive(),
  /** measured on the segments stored so far */
  peakBandwidth: z.number().int().positive(),
  segmentDurations: z.array(z.number().positive()),
});
export type GrowingRendition = z.infer<typeof GrowingRenditionSchema>;
export const GrowingRenditionsSchema = z.partialRecord(RenditionIdSchema, GrowingRenditionSchema);
export type GrowingRenditions = z.infer<typeof GrowingRenditionsSchema>;

export const LoudnessSchema = z.object({
  /** EBU R128 integrated loudness, LUFS; null for silence */
  integratedLufs: z.number().nullable(),
  /** true peak, dBTP; null for silence */
  truePeakDbtp: z.number().nullable(),
  /** loudness range, LU */
  rangeLu: z.number().nullable(),
});
export type Loudness = z.infer<typeof LoudnessSchema>;

export const TrackErrorSchema = z.object({ code: z.string(), message: z.string() });
export type TrackError = z.infer<typeof TrackErrorSchema>;

const trackFields = {
  status: TrackStatusSchema,
  /** 0..1 while processing, 1 once ready */
  progress: z.number().min(0).max(1),
  error: TrackErrorSchema.nullable(),
  ...TagsSchema.shape,
  /** while processing, what the file's headers promise (or an estimate); once the whole file is decoded, its exact length */
  durationSec: z.number().positive(),
  source: SourceSchema,
  /** measured while processing; null until the track is ready */
  loudness: LoudnessSchema.nullable(),
  /** about 1,000 waveform peaks, 0..1, evenly spread over the duration; empty until the whole file is decoded */
  peaks: z.array(z.number().min(0).max(1)),
  hasCover: z.boolean(),
};

export const LeaseSchema = z.object({
  owner: z.string(),
  until: z.date(),
  attempts: z.number().int().positive(),
});
export type Lease = z.infer<typeof LeaseSchema>;

/** The widths of a cover's resized copies, smallest first. */
const CoverSizesSchema = z.array(z.number().int().positive());

/** The `tracks` collection's document. */
export const TrackDocumentSchema = z.object({
  _id: TrackIdSchema,
  ...trackFields,
  renditions: z.array(StoredRenditionSchema),
  /** while processing, the rungs whose first segments are stored */
  growing: GrowingRenditionsSchema.optional(),
  createdAt: z.date(),
  updatedAt: z.date(),
  lastAccessedAt: z.date().nullable(),
  lease: LeaseSchema.optional(),
  /** absent on tracks kept before covers were resized */
  coverSizes: CoverSizesSchema.optional(),
});
export type TrackDocument = z.infer<typeof TrackDocumentSchema>;

/** A track as the API shows it: storage internals (`_id`, lease, segment lists) left out. */
export const TrackSchema = z.object({
  id: TrackIdSchema,
  ...trackFields,
  renditions: z.array(RenditionSchema),
  /**
   * true once the playlists can be played: when the first segments of a rung
   * are stored, while the track is still processing (its playlists then grow
   * as an HLS EVENT stream and end when it is ready), and whenever it is ready
   */
  playable: z.boolean(),
  coverSizes: CoverSizesSchema.describe(
    'the widths in pixels, smallest first, of the WebP sizes of the cover (GET /tracks/{id}/cover/{width}.webp), for an img srcset; ' +
      'each fits a square of 128, 256 or 512 px and is never enlarged; ' +
      'empty when the track has no cover, or kept its cover before sizes were made (the original still serves)',
  ),
  createdAt: z.iso.datetime(),
  updatedAt: z.iso.datetime(),
  lastAccessedAt: z.iso.datetime().nullable(),
});
export type Track = z.infer<typeof TrackSchema>;

/**
 * Segments a growing rung has before it is listed: GStreamer's HLS demuxer,
 * given a live playlist of one segment, cannot find its place in the next and
 * skips or repeats segments.
 */
const MIN_GROWING_SEGMENTS = 2;

/** The rungs a processing track can already be played from. */
export const startedRungs = (doc: Pick<TrackDocument, 'growing'>) =>
  (Object.entries(doc.growing ?? {}) as Array<[RenditionId, GrowingRendition]>).filter(
    ([, rung]) => rung.segmentDurations.length >= MIN_GROWING_SEGMENTS,
  );

export const isPlayable = (doc: TrackDocument) => doc.status === 'ready' || (doc.status === 'processing' && startedRungs(doc).length > 0);

export function toTrack(doc: TrackDocument): Track {
  return {
    id: doc._id,
    status: doc.status,
    progress: doc.progress,
    error: doc.error,
    title: doc.title,
    artist: doc.artist,
    album: doc.album,
    year: doc.year,
    genre: doc.genre,
    trackNumber: doc.trackNumber,
    durationSec: doc.durationSec,
    source: doc.source,
    renditions: doc.renditions.map(({ segmentDurations: _, ...rendition }) => rendition),
    playable: isPlayable(doc),
    loudness: doc.loudness,
    peaks: doc.peaks,
    hasCover: doc.hasCover,
    coverSizes: doc.coverSizes ?? [],
    createdAt: doc.createdAt.toISOString(),
    updatedAt: doc.updatedAt.toISOString(),
    lastAccessedAt: doc.lastAccessedAt?.toISOString() ?? null,
  };
}

/** PATCH body: tags only, at least one, nothing unknown. `null` clears a tag. */
export const TrackUpdateSchema = z
  .strictObject({
    title: TagsSchema.shape.title.optional(),
    artist: TagsSchema.shape.artist.optional(),
    album: TagsSchema.shape.album.optional(),
    year: TagsSchema.shape.year.optional(),
    genre: TagsSchema.shape.genre.optional(),
    trackNumber: TagsSchema.shape.trackNumber.optional(),
  })
  .refine((patch) => Object.keys(patch).length > 0, { message: 'give at least one tag to change' })
  // the refinement, as the OpenAPI document can say it
  .meta({ minProperties: 1 });
export type TrackUpdate = z.infer<typeof TrackUpdateSchema>;

/** Form fields that may come with an upload and win over the file's own tags. */
export const UploadFieldsSchema = z.strictObject({
  title: tagText.optional(),
  artist: tagText.optional(),
  album: tagText.optional(),
});
export type UploadFields = z.infer<typeof UploadFieldsSchema>;

export const TrackListQuerySchema = PageQuerySchema.extend({
  q: z.string().trim().min(1).max(200).regex(NOT_ONLY_SPACES, 'not only spaces').optional(),
});
export type TrackListQuery = z.infer<typeof TrackListQuerySchema>;

export const TrackListSchema = pageSchema(TrackSchema);
export type TrackList = z.infer<typeof TrackListSchema>;

export const UploadQuerySchema = z.object({
  wait: z
    .enum(['true', 'false', '1', '0'])
    .optional()
    .transform((value) => value === 'true' || value === '1'),
});

/** A resumable upload's `Upload-Metadata`: the file's name, type and SHA-256 (checked once it is complete), and the form fields of a direct upload. */
export const ResumableMetadataSchema = UploadFieldsSchema.extend({
  filename: z.string().max(1024).optional(),
  filetype: z
    .string()
    .regex(/^[\w.+-]+\/[\w.+-]+$/, 'must be a MIME type such as audio/flac')
    .max(255)
    .optional(),
  sha256: z
    .string()
    .regex(/^[0-9a-fA-F]{64}$/, 'must be the hex SHA-256 of the file')
    .transform((hex) => hex.toLowerCase())
    .optional(),
});
export type ResumableMetadata = z.infer<typeof ResumableMetadataSchema>;
