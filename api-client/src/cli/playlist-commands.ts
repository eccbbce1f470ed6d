import type { Playlist } from '../../../functions/core/schemas/playlist.js';
import type { Command, Context } from './context.js';
import { ExitCode, UsageError } from './exit-codes.js';
import { playlistDetails, playlistTable } from './format.js';
import { collect } from './listing.js';

/** `--position`: a whole number from 0, or none (the end). */
function position(flag: string | undefined): number | undefined {
  if (flag === undefined) return undefined;
  const value = Number(flag);
  if (!Number.isInteger(value) || value < 0) throw new UsageError('--position is a whole number from 0');
  return value;
}

/** The playlist in JSON, or in text what was done to it. */
function report(context: Context, playlist: Playlist, done: string): ExitCode {
  context.print(context.flags.json ? JSON.stringify(playlist, null, 2) : done);
  return ExitCode.ok;
}

const subcommands: Record<string, Command> = {
  async create(context, [name, ...trackIds]) {
    if (!name) throw new UsageError('playlist create takes a name, then any track ids');
    const description = context.flags.description;
    const playlist = await context.segue.playlists.create({ name, trackIds, ...(description === undefined ? {} : { description }) });
    return report(context, playlist, `${playlist.id}  ${playlist.name}  ${context.shareUrl(playlist.id, 'p')}`);
  },

  async list(context, rest) {
    if (rest.length) throw new UsageError('playlist list takes no arguments');
    const playlists = await collect(context.flags.limit, (limit) => context.segue.playlists.list({ limit }));
    context.print(context.flags.json ? JSON.stringify(playlists, null, 2) : playlists.length ? playlistTable(playlists) : 'no playlists');
    return ExitCode.ok;
  },

  async show(context, [id, ...rest]) {
    if (!id || rest.length) throw new UsageError('playlist show takes one playlist id');
    const playlist = await context.segue.playlists.retrieve(id);
    return report(context, playlist, playlistDetails(playlist, context.shareUrl(id, 'p')));
  },

  async add(context, [id, ...trackIds]) {
    if (!id || trackIds.length === 0) throw new UsageError('playlist add takes a playlist id and at least one track id');
    const at = position(context.flags.position);
    const playlist = await context.segue.playlists.addTracks(id, { trackIds, ...(at === undefined ? {} : { position: at }) });
    return report(context, playlist, `added ${trackIds.length} to ${id}, which holds ${playlist.trackIds.length}`);
  },

  async remove(context, [id, trackId, ...rest]) {
    if (!id || !trackId || rest.length) throw new UsageError('playlist remove takes a playlist id and one track id');
    await context.segue.playlists.removeTrack(id, trackId);
    context.print(context.flags.json ? JSON.stringify({ id, removed: trackId }) : `removed ${trackId} from ${id}`);
    return ExitCode.ok;
  },

  async rename(context, [id, name, ...rest]) {
    if (!id || !name || rest.length) throw new UsageError('playlist rename takes a playlist id and a name (quote it if it has spaces)');
    const playlist = await context.segue.playlists.update(id, { name });
    return report(context, playlist, `renamed ${id} to ${playlist.name}`);
  },

  async order(context, [id, ...trackIds]) {
    if (!id || trackIds.length === 0) throw new UsageError('playlist order takes a playlist id and its track ids in the new order');
    const playlist = await context.segue.playlists.update(id, { trackIds });
    return report(context, playlist, playlistDetails(playlist, context.shareUrl(id, 'p')));
  },

  async delete(context, [id, ...rest]) {
    if (!id || rest.length) throw new UsageError('playlist delete takes one playlist id');
    await context.segue.playlists.delete(id);
    context.print(context.flags.json ? JSON.stringify({ deleted: id }) : `deleted playlist ${id}`);
    return ExitCode.ok;
  },
};

/** `segue playlist <subcommand> …` */
export const playlistCommand: Command = (context, [subcommand, ...args]) => {
  const run = subcommand ? subcommands[subcommand] : undefined;
  if (!run) throw new UsageError(`playlist takes one of ${Object.keys(subcommands).join(', ')}; see segue --help`);
  return run(context, args);
};
