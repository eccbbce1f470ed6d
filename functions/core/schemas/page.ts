import * as z from 'zod';
import { SHARE_ID } from '../share-id.js';

/** A page of a newest-first listing: how many, and where the previous page ended. */
export const PageQuerySchema = z.object({
  limit: z.coerce.number().int().min(1).max(100).default(20),
  /** where the previous page ended: the last item's creation time (ms) and id, as `nextCursor` gave it */
  cursor: z
    .string()
    .regex(new RegExp(`^\\d{1,15}\\.${SHARE_ID}$`), 'a nextCursor from an earlier page')
    .optional(),
});
export type PageQuery = z.infer<typeof PageQuerySchema>;

/** A page of items, and the cursor of the next one (null on the last page). */
export const pageSchema = <Item extends z.ZodType>(item: Item) =>
  z.object({
    data: z.array(item),
    nextCursor: z.string().nullable(),
  });
