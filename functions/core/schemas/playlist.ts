import * as z from 'zod';
import { PageQuerySchema, pageSchema } from './page.js';
import { NOT_ONLY_SPACES, shareIdSchema, type TrackDocument, TrackIdSchema, TrackSchema, toTrack } from './track.js';

/** The most tracks one playlist holds: more is refused with 422 `too_many_tracks`. */
export const MAX_PLAYLIST_TRACKS = 1000;

/** A playlist's id is a share id like a track's (`/p/<id>` on the web player). */
export const PlaylistIdSchema = shareIdSchema('playlist');

// written as \u escapes so the pattern reads the same to every JSON Schema validator (Python's `re` has no \p{Cc})
const CONTROL_CHARACTERS = '\\u0000-\\u001f\\u007f-\\u009f';
const name = z
  .string()
  .trim()
  .min(1)
  .max(200)
  .regex(new RegExp(`^[^${CONTROL_CHARACTERS}]*$`), 'a name has no control characters, and not only spaces')
  .regex(NOT_ONLY_SPACES, 'a name has no control characters, and not only spaces');
// a description may run over lines: tabs and line breaks are the control characters it keeps
const description = z
  .string()
  .trim()
  .max(2000)
  .regex(new RegExp(`^(?:[^${CONTROL_CHARACTERS}]|[\\t\\n\\r])*$`), 'a description has no control characters but tabs and line breaks');

/** Track ids in playing order, each once. How many is checked by the route (422), not here (400). */
const trackIds = z
  .array(TrackIdSchema)
  .refine((ids) => new Set(ids).size === ids.length, { message: 'a track is in a playlist once' })
  // the refinement, as the OpenAPI document can say it
  .meta({ uniqueItems: true });

/** The `playlists` collection's document. */
export const PlaylistDocumentSchema = z.object({
  _id: PlaylistIdSchema,
  name,
  description,
  trackIds: trackIds.max(MAX_PLAYLIST_TRACKS),
  createdAt: z.date(),
  updatedAt: z.date(),
});
export type PlaylistDocument = z.infer<typeof PlaylistDocumentSchema>;

const playlistFields = {
  id: PlaylistIdSchema,
  name: z.string(),
  description: z.string(),
  createdAt: z.iso.datetime(),
  updatedAt: z.iso.datetime(),
};

/**
 * A playlist as the API answers it: its tracks expanded, in playing order, so
 * a share page needs this one request. A track deleted a moment ago is left
 * out of both `tracks` and `trackIds`.
 */
export const PlaylistSchema = z.object({
  ...playlistFields,
  trackIds: z.array(TrackIdSchema),
  tracks: z.array(TrackSchema),
});
export type Playlist = z.infer<typeof PlaylistSchema>;

/** A playlist in a listing: how many tracks it holds rather than the tracks. */
export const PlaylistSummarySchema = z.object({
  ...playlistFields,
  trackCount: z.number().int().min(0).max(MAX_PLAYLIST_TRACKS),
});
export type PlaylistSummary = z.infer<typeof PlaylistSummarySchema>;

export const PlaylistCreateSchema = z.strictObject({
  name,
  description: description.default(''),
  trackIds: trackIds.default([]),
});
export type PlaylistCreate = z.input<typeof PlaylistCreateSchema>;

/** PATCH body: at least one field; `trackIds` replaces the whole list, which is how tracks are reordered. */
export const PlaylistUpdateSchema = z
  .strictObject({
    name: name.optional(),
    description: description.optional(),
    trackIds: trackIds.optional(),
  })
  .refine((patch) => Object.keys(patch).length > 0, { message: 'give at least one field to change' })
  .meta({ minProperties: 1 });
export type PlaylistUpdate = z.infer<typeof PlaylistUpdateSchema>;

export const PlaylistAddTracksSchema = z.strictObject({
  trackIds: trackIds.min(1),
  /** where the first of them goes, counted from 0; past the end (or left out) adds them at the end */
  position: z.number().int().min(0).optional(),
});
export type PlaylistAddTracks = z.infer<typeof PlaylistAddTracksSchema>;

export const PlaylistListQuerySchema = PageQuerySchema;
export type PlaylistListQuery = z.infer<typeof PlaylistListQuerySchema>;

export const PlaylistListSchema = pageSchema(PlaylistSummarySchema);
export type PlaylistList = z.infer<typeof PlaylistListSchema>;

export function toPlaylistSummary(doc: PlaylistDocument): PlaylistSummary {
  return {
    id: doc._id,
    name: doc.name,
    description: doc.description,
    trackCount: doc.trackIds.length,
    createdAt: doc.createdAt.toISOString(),
    updatedAt: doc.updatedAt.toISOString(),
  };
}

/** The playlist with its tracks in playing order; `found` are the tracks its ids name that still exist, in any order. */
export function toPlaylist(doc: PlaylistDocument, found: TrackDocument[]): Playlist {
  const byId = new Map(found.map((track) => [track._id, track]));
  const tracks = doc.trackIds.flatMap((id) => {
    const track = byId.get(id);
    return track ? [toTrack(track)] : [];
  });
  return {
    id: doc._id,
    name: doc.name,
    description: doc.description,
    trackIds: tracks.map((track) => track.id),
    tracks,
    createdAt: doc.createdAt.toISOString(),
    updatedAt: doc.updatedAt.toISOString(),
  };
}
