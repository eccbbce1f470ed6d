import { customAlphabet } from 'nanoid';
import { SHARE_ID_ALPHABET, SHARE_ID_LENGTH } from '../core/share-id.js';

export const newTrackId = customAlphabet(SHARE_ID_ALPHABET, SHARE_ID_LENGTH);

/** A playlist's id is a share id of the same kind. */
export const newPlaylistId = newTrackId;

/** A replica's name in leases, unique per process. */
export const newReplicaId = customAlphabet('0123456789abcdefghijklmnopqrstuvwxyz', 10);
