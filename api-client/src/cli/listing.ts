import { UsageError } from './exit-codes.js';

/** `--limit`: how many to list at most, every one when not given. */
function listLimit(flag: string | undefined): number {
  const limit = flag === undefined ? Number.POSITIVE_INFINITY : Number(flag);
  if (!(limit > 0)) throw new UsageError('--limit is a positive number');
  return limit;
}

/** Up to `--limit` items of a paged listing, asking for pages no larger than needed. */
export async function collect<Item>(flag: string | undefined, list: (pageSize: number) => AsyncIterable<Item>): Promise<Item[]> {
  const limit = listLimit(flag);
  const items: Item[] = [];
  for await (const item of list(Math.min(limit, 100))) {
    items.push(item);
    if (items.length >= limit) break;
  }
  return items;
}
