import { homedir } from 'node:os';
import { basename, join } from 'node:path';
import { parseArgs } from 'node:util';
import cliProgress from 'cli-progress';
import { fileUploadMemory, Segue, SegueError, type UploadedTrack } from '../node.js';
import { type Command, type Context, options } from './context.js';
import { ExitCode, exitCodeFor, UsageError } from './exit-codes.js';
import { describeError, formatBytes, requestIdOf, trackDetails, trackTable } from './format.js';
import { collect } from './listing.js';
import { playlistCommand } from './playlist-commands.js';

const HELP = `segue: upload, list and share tracks and playlists on a Segue service

Usage:
  segue upload <files...> [--title T] [--artist A] [--album B] [--no-wait] [--resumable]
  segue list [--q TEXT] [--limit N]
  segue info <id>
  segue rm <ids...>
  segue url <id> [--kind master|original|cover|share]
  segue playlist create <name> [trackIds...] [--description TEXT]
  segue playlist list [--limit N]
  segue playlist show <id>
  segue playlist add <id> <trackIds...> [--position N]
  segue playlist remove <id> <trackId>
  segue playlist rename <id> <name>
  segue playlist order <id> <trackIds...>
  segue playlist delete <id>

Options:
  --url URL        the gateway (default: $SEGUE_URL, else http://127.0.0.1:8080)
  --api-key KEY    for uploads, changes and removals, playlists' too
                   (default: $SEGUE_API_KEY)
  --web-url URL    the web player, for share links (default: $SEGUE_WEB_URL,
                   else the gateway's root; on OpenFaaS <gateway>/function/web/)
  --resumable      send even small files as resumable uploads (files of 64 MiB
                   and more always are: a dropped connection costs only what
                   was on its way, and running the same upload again after
                   Ctrl-C goes on from where it stopped)
  --description T  a playlist's description (playlist create)
  --position N     where added tracks go, counted from 0 (default: the end)
  --json           machine-readable output on stdout
  -h, --help       this text

Exit status: 0 done, 1 unexpected failure, 2 bad command line, 3 not found,
4 not authorised, 5 input refused (bad tags, unknown tracks, a full
playlist, a track it holds already), 6 processing failed, 7 service unreachable
or busy (try again).`;

async function main(argv: string[]): Promise<ExitCode> {
  let parsed;
  try {
    parsed = parseArgs({ args: argv, options, allowPositionals: true });
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  const { values: flags, positionals } = parsed;
  const [command, ...args] = positionals;
  if (flags.help || !command) {
    console.log(HELP);
    return flags.help ? ExitCode.ok : ExitCode.usage;
  }
  const baseUrl = flags.url ?? process.env.SEGUE_URL ?? 'http://127.0.0.1:8080';
  const segue = new Segue({ baseUrl, apiKey: flags['api-key'] ?? process.env.SEGUE_API_KEY });
  const webUrl = `${(flags['web-url'] ?? process.env.SEGUE_WEB_URL ?? segue.baseUrl).replace(/\/+$/, '')}/`;
  const context: Context = {
    segue,
    flags,
    print: (text) => process.stdout.write(`${text}\n`),
    shareUrl: (id, kind = 't') => new URL(`${kind}/${id}`, webUrl).href,
  };
  const run = commands[command];
  if (!run) throw new UsageError(`unknown command "${command}"; see segue --help`);
  return run(context, args);
}

const commands: Record<string, Command> = {
  async upload(context, files) {
    if (files.length === 0) throw new UsageError('upload needs at least one file');
    const wait = !context.flags['no-wait'];
    const fields = {
      ...(context.flags.title ? { title: context.flags.title } : {}),
      ...(context.flags.artist ? { artist: context.flags.artist } : {}),
      ...(context.flags.album ? { album: context.flags.album } : {}),
    };
    const results: Array<{ file: string; track?: UploadedTrack; error?: { code: string | null; message: string; requestId: string | null } }> = [];
    let exitCode: ExitCode = ExitCode.ok;
    const urlStorage = fileUploadMemory(join(process.env.XDG_CACHE_HOME ?? join(homedir(), '.cache'), 'segue', 'uploads.json'));
    for (const file of files) {
      const bar = progressBar(context.flags.json, basename(file));
      try {
        const track = await context.segue.tracks.create({
          file,
          ...fields,
          wait,
          onProgress: ({ loaded, total }) => bar.upload(loaded, total ?? loaded),
          onProcessing: (processing) => bar.processing(processing.progress),
          urlStorage,
          ...(context.flags.resumable ? { resumable: true } : {}),
        });
        bar.done();
        results.push({ file, track });
        const already = track.duplicate ? '  already in your library' : '';
        if (!context.flags.json) context.print(`${track.id}  ${track.status}  ${track.title}  ${context.shareUrl(track.id)}${already}`);
      } catch (error) {
        bar.done();
        if (!(error instanceof SegueError) && exitCodeFor(error) !== ExitCode.notFound) throw error;
        const failed = { code: (error as { code?: string }).code ?? null, message: (error as Error).message, requestId: requestIdOf(error) };
        results.push({ file, error: failed });
        if (!context.flags.json) console.error(`${file}: ${describeError(error as Error)}`);
        if (exitCode === ExitCode.ok) exitCode = exitCodeFor(error);
      }
    }
    if (context.flags.json) context.print(JSON.stringify(results, null, 2));
    return exitCode;
  },

  async list(context) {
    const q = context.flags.q;
    const tracks = await collect(context.flags.limit, (limit) => context.segue.tracks.list({ ...(q ? { q } : {}), limit }));
    context.print(context.flags.json ? JSON.stringify(tracks, null, 2) : tracks.length ? trackTable(tracks) : 'no tracks');
    return ExitCode.ok;
  },

  async info(context, [id, ...rest]) {
    if (!id || rest.length) throw new UsageError('info takes one track id');
    const track = await context.segue.tracks.retrieve(id);
    const urls = { master: context.segue.tracks.masterPlaylistUrl(id), share: context.shareUrl(id) };
    context.print(context.flags.json ? JSON.stringify(track, null, 2) : trackDetails(track, urls));
    return ExitCode.ok;
  },

  async rm(context, ids) {
    if (ids.length === 0) throw new UsageError('rm needs at least one track id');
    for (const id of ids) {
      await context.segue.tracks.delete(id);
      if (!context.flags.json) context.print(`removed ${id}`);
    }
    if (context.flags.json) context.print(JSON.stringify({ removed: ids }));
    return ExitCode.ok;
  },

  async url(context, [id, ...rest]) {
    if (!id || rest.length) throw new UsageError('url takes one track id');
    const { tracks } = context.segue;
    const urls: Record<string, () => string> = {
      master: () => tracks.masterPlaylistUrl(id),
      original: () => tracks.originalUrl(id),
      cover: () => tracks.coverUrl(id),
      share: () => context.shareUrl(id),
    };
    const kind = context.flags.kind;
    const url = urls[kind]?.();
    if (!url) throw new UsageError(`--kind is one of ${Object.keys(urls).join(', ')}`);
    // only links to a track that exists are worth handing out
    await tracks.retrieve(id);
    context.print(context.flags.json ? JSON.stringify({ id, kind, url }) : url);
    return ExitCode.ok;
  },

  playlist: playlistCommand,
};

/** Upload then processing progress on stderr, only where someone is watching. */
function progressBar(json: boolean, name: string) {
  if (json || !process.stderr.isTTY) return { upload() {}, processing() {}, done() {} };
  const bar = new cliProgress.SingleBar(
    { stream: process.stderr, format: '{name} {stage} [{bar}] {percentage}% {detail}', hideCursor: true, clearOnComplete: true },
    cliProgress.Presets.shades_classic,
  );
  bar.start(1, 0, { name, stage: 'uploading ', detail: '' });
  return {
    upload(loaded: number, total: number) {
      bar.setTotal(Math.max(total, 1));
      bar.update(loaded, { detail: `${formatBytes(loaded)} / ${formatBytes(total)}` });
    },
    processing(progress: number) {
      bar.setTotal(100);
      bar.update(Math.round(progress * 100), { stage: 'processing', detail: '' });
    },
    done() {
      bar.stop();
    },
  };
}

try {
  process.exitCode = await main(process.argv.slice(2));
} catch (error) {
  const code = exitCodeFor(error);
  console.error(code === ExitCode.failure && !(error instanceof SegueError) ? error : `segue: ${describeError(error as Error)}`);
  process.exitCode = code;
}
