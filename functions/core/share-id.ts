/** Track and playlist ids: 12 letters and digits, so 62^12 of them: collisions are out of reach, and an id reads well in a share link. */
export const SHARE_ID_ALPHABET = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';
export const SHARE_ID_LENGTH = 12;

/** The shape as a regular expression's source, for patterns that take an id somewhere inside. */
export const SHARE_ID = `[0-9A-Za-z]{${SHARE_ID_LENGTH}}`;

const WHOLE_SHARE_ID = new RegExp(`^${SHARE_ID}$`);
export const isShareId = (value: string) => WHOLE_SHARE_ID.test(value);
