import { EventEmitter } from 'node:events';

/**
 * News about tracks between functions that share a process (the local
 * gateway): the stream function forgets a deleted track at once instead of
 * after its cache expires.
 */
export class TrackEvents extends EventEmitter<{ deleted: [trackId: string] }> {}
