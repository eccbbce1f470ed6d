/** For what never changes under its name (a stored segment, a content-named asset): cached for good, never revalidated. */
export const IMMUTABLE = 'public, max-age=31536000, immutable';
