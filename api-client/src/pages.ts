import { ResponseValidationError } from './errors.js';

export interface Page<Item> {
  data: Item[];
  nextCursor: string | null;
}

/** All pages of a listing as one sequence of items; `pages()` gives them a page at a time. */
export class PageIterator<Item> implements AsyncIterable<Item> {
  constructor(private readonly fetchPage: (cursor: string | null) => Promise<Page<Item>>) {}

  /**
   * The listing a page at a time, each `{ data, nextCursor }`.
   *
   * @example
   * for await (const page of segue.tracks.list({ limit: 100 }).pages()) console.log(`${page.data.length} more`);
   */
  async *pages(): AsyncGenerator<Page<Item>> {
    let cursor: string | null = null;
    const seen = new Set<string>();
    do {
      const page: Page<Item> = await this.fetchPage(cursor);
      yield page;
      cursor = page.nextCursor;
      // a server (or proxy) that ignored the cursor would otherwise be paged forever
      if (cursor !== null && seen.has(cursor)) throw new ResponseValidationError(`The service answered cursor ${cursor} twice`, [], page);
      if (cursor !== null) seen.add(cursor);
    } while (cursor);
  }

  /**
   * The listing an item at a time, the next page fetched when one runs out.
   *
   * @example
   * for await (const track of segue.tracks.list()) console.log(track.title);
   */
  async *[Symbol.asyncIterator](): AsyncGenerator<Item> {
    for await (const page of this.pages()) yield* page.data;
  }

  /**
   * Collects every item; for a long listing, iterate instead.
   *
   * @example
   * const live = await segue.tracks.list({ q: 'live' }).toArray();
   */
  async toArray(): Promise<Item[]> {
    const items: Item[] = [];
    for await (const item of this) items.push(item);
    return items;
  }
}
