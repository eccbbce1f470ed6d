import type { Collection, Filter, WithId } from 'mongodb';
import type { PageQuery } from '../../core/schemas/page.js';

interface Listed {
  _id: string;
  createdAt: Date;
}

export interface Page<T> {
  items: T[];
  nextCursor: string | null;
}

/**
 * The sort key of the last item on a page, `<createdAt ms>.<id>`: any such
 * key is a position in the newest-first order, so whatever matches the
 * schema's pattern is a cursor the list can start after.
 */
const encodeCursor = (item: Listed) => `${item.createdAt.getTime()}.${item._id}`;

function decodeCursor(cursor: string): { createdAt: Date; id: string } {
  const [time, id] = cursor.split('.');
  return { createdAt: new Date(Number(time)), id: id! };
}

/** One page of `collection` newest first (ties by id), of the documents matching every one of `conditions`. */
export async function newestFirst<T extends Listed>(
  collection: Collection<T>,
  conditions: Filter<T>[],
  { limit, cursor }: PageQuery,
): Promise<Page<WithId<T>>> {
  const all = [...conditions];
  if (cursor) {
    const after = decodeCursor(cursor);
    all.push({
      $or: [{ createdAt: { $lt: after.createdAt } }, { createdAt: after.createdAt, _id: { $lt: after.id } }],
    } as Filter<T>);
  }
  const filter = all.length === 0 ? {} : all.length === 1 ? all[0]! : ({ $and: all } as Filter<T>);
  const found = await collection
    .find(filter)
    .sort({ createdAt: -1, _id: -1 })
    .limit(limit + 1)
    .toArray();
  const items = found.slice(0, limit);
  const last = items.at(-1);
  return { items, nextCursor: found.length > limit && last ? encodeCursor(last) : null };
}
