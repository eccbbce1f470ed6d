/**
 * Listed items (tracks, playlists) sorted as a listing promises them: newest
 * first, and by id, highest first, among those made in the same millisecond.
 * A copy; `items` is left as it is.
 */
export function newestFirst<T extends { createdAt: string; id: string }>(items: readonly T[]): T[] {
  return [...items].sort((a, b) => b.createdAt.localeCompare(a.createdAt) || (a.id < b.id ? 1 : a.id > b.id ? -1 : 0));
}
