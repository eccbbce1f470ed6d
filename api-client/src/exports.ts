/** What both entry points (browser and Node) export besides their Segue class. */
export type { ErrorCode } from '../../functions/core/errors.js';
export type {
  Loudness,
  Rendition,
  RenditionId,
  Source,
  Track,
  TrackList,
  TrackStatus,
  TrackUpdate,
  UploadFields,
} from '../../functions/core/schemas/track.js';
export { TrackListSchema, TrackSchema } from '../../functions/core/schemas/track.js';
export type { Playlist, PlaylistList, PlaylistSummary } from '../../functions/core/schemas/playlist.js';
export { MAX_PLAYLIST_TRACKS, PlaylistListSchema, PlaylistSchema, PlaylistSummarySchema } from '../../functions/core/schemas/playlist.js';
export * from './errors.js';
export { formatDuration } from './format.js';
export type { Page } from './pages.js';
export { PageIterator } from './pages.js';
export type { PlaylistAddTracksParams, PlaylistCreateParams, PlaylistListParams, PlaylistPageParams, PlaylistUpdateParams } from './playlists.js';
export { PlaylistIterator, Playlists } from './playlists.js';
export type {
  TrackCreateParams,
  TrackListParams,
  TrackPageParams,
  TrackUpdateParams,
  TrackWaitParams,
  UploadedTrack,
  UploadInput,
} from './tracks.js';
export { TrackIterator, Tracks } from './tracks.js';
export type { ClientOptions, RequestOptions } from './transport.js';
export { RESUMABLE_CHUNK_BYTES, RESUMABLE_THRESHOLD_BYTES } from './resumable-upload.js';
export type { UploadProgress } from './upload-body.js';
