import * as HLS from 'hls-parser';

HLS.setOptions({ strictMode: true });

/** Parses with hls-parser in strict mode: anything RFC 8216 forbids throws. */
export function parseStrict(text: string): HLS.types.MasterPlaylist | HLS.types.MediaPlaylist {
  return HLS.parse(text);
}

export function parseMaster(text: string): HLS.types.MasterPlaylist {
  const playlist = parseStrict(text);
  if (!playlist.isMasterPlaylist) throw new Error('expected a multivariant playlist');
  return playlist as HLS.types.MasterPlaylist;
}

export function parseMedia(text: string): HLS.types.MediaPlaylist {
  const playlist = parseStrict(text);
  if (playlist.isMasterPlaylist) throw new Error('expected a media playlist');
  return playlist as HLS.types.MediaPlaylist;
}
