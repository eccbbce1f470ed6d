import { customAlphabet } from 'nanoid';

/** 62^12 ids: collisions are out of reach, and the id reads well in a share link. */
export const newTrackId = customAlphabet('0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz', 12);

/** A replica's name in leases, unique per process. */
export const newReplicaId = customAlphabet('0123456789abcdefghijklmnopqrstuvwxyz', 10);

/** A playlist's id is a share id of the same kind, from the same alphabet. */
export const newPlaylistId = newTrackId;
