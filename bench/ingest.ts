import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { openDatabase } from '../functions/local/embedded-database.js';
import { createLogger } from '../functions/shared/logger.js';
import { startFunctionProcess } from '../test/support/function-process.js';
import { peakRssBytes } from '../test/support/proc.js';
import { buildForBenchmark, cpuSeconds, deleteTrack, mebibytes, median, noisyTone, noisyToneMp3, run, timed, uploadRaw } from './support.js';

/**
 * Ingest speed and memory, against references measured in the same run:
 *  - a 5-minute 320 kbit/s MP3 through POST /tracks?wait=true, against the bare
 *    ffmpeg command lines that produce the same three-rung ladder;
 *  - the crud process's peak RSS while it ingests a 200 MB WAV.
 */
const RUNS = Number(process.env.BENCH_RUNS ?? 3);
const RSS_LIMIT = 300 * 1024 * 1024;

const RUNGS = [64, 128, 256];

const hlsOutput = (dir: string, kbps: number) => [
  ...['-map', '0:a:0', '-c:a', 'aac', '-b:a', `${kbps}k`, '-ac', '2', '-ar', '44100'],
  ...['-f', 'hls', '-hls_time', '6', '-hls_playlist_type', 'vod', '-hls_segment_type', 'fmp4'],
  ...['-hls_fmp4_init_filename', 'init.mp4', '-hls_segment_filename', join(dir, `a${kbps}`, '%06d.m4s')],
  join(dir, `a${kbps}`, 'index.m3u8'),
];

async function freshLadderDir(root: string) {
  const dir = await mkdtemp(join(root, 'ladder-'));
  for (const kbps of RUNGS) await mkdir(join(dir, `a${kbps}`));
  return dir;
}

async function bareOneCommand(root: string, source: string) {
  const dir = await freshLadderDir(root);
  const outputs = RUNGS.flatMap((kbps) => hlsOutput(dir, kbps));
  await run('ffmpeg', ['-v', 'error', '-y', '-i', source, ...outputs]);
  await rm(dir, { recursive: true });
}

async function bareProcessPerRung(root: string, source: string) {
  const dir = await freshLadderDir(root);
  await Promise.all(RUNGS.map((kbps) => run('ffmpeg', ['-v', 'error', '-y', '-i', source, ...hlsOutput(dir, kbps)])));
  await rm(dir, { recursive: true });
}

async function main() {
  await buildForBenchmark();
  const root = await mkdtemp(join(tmpdir(), 'segue-bench-'));
  const logger = createLogger('warn', 'bench');
  const database = await openDatabase(undefined, join(root, 'db'), logger);
  try {
    const mp3 = join(root, 'five-minutes-320k.mp3');
    const wav = join(root, 'two-hundred-megabytes.wav');
    await noisyToneMp3(mp3, 300);
    // 1189 s of 16-bit stereo at 44.1 kHz is 200 MiB
    await run('ffmpeg', ['-v', 'error', '-filter_complex', noisyTone(1189), '-map', '[out]', '-ar', '44100', '-c:a', 'pcm_s16le', wav]);

    const oneCommand: number[] = [];
    const perRung: number[] = [];
    const segue: number[] = [];
    const cpu = { crud: 0, database: 0 };
    const crud = await startFunctionProcess('crud', { MONGODB_URI: database.uri, MONGODB_DB: 'bench', TMPDIR: root }, { compiled: true });
    try {
      for (let index = 0; index < RUNS; index++) {
        oneCommand.push((await timed(() => bareOneCommand(root, mp3))).seconds);
        perRung.push((await timed(() => bareProcessPerRung(root, mp3))).seconds);
        const before = { crud: await cpuSeconds(crud.child.pid!), database: database.pid ? await cpuSeconds(database.pid) : 0 };
        const { seconds, result } = await timed(() => uploadRaw(crud.url, mp3, 'audio/mpeg'));
        cpu.crud += (await cpuSeconds(crud.child.pid!)) - before.crud;
        if (database.pid) cpu.database += (await cpuSeconds(database.pid)) - before.database;
        if (result.status !== 201 || result.body.status !== 'ready') throw new Error(`ingest failed: ${JSON.stringify(result.body)}`);
        segue.push(seconds);
        await deleteTrack(crud.url, result.body.id);
      }
    } finally {
      await crud.stop();
    }

    const fresh = await startFunctionProcess('crud', { MONGODB_URI: database.uri, MONGODB_DB: 'bench-rss', TMPDIR: root }, { compiled: true });
    let peak: number;
    let databasePeak: number | undefined;
    try {
      const result = await uploadRaw(fresh.url, wav, 'audio/wav');
      if (result.status !== 201 || result.body.status !== 'ready') throw new Error(`WAV ingest failed: ${JSON.stringify(result.body)}`);
      peak = peakRssBytes(fresh.child.pid!);
      if (database.pid) databasePeak = peakRssBytes(database.pid);
    } finally {
      await fresh.stop();
    }

    const segueSeconds = median(segue);
    console.log(`ingest: a 5-minute 320 kbit/s MP3 into a 3-rung AAC ladder (median of ${RUNS}, ${cpus().length} cores)`);
    console.log(`  bare ffmpeg, one command with three outputs   ${median(oneCommand).toFixed(2)} s`);
    console.log(`  bare ffmpeg, one process per rung in parallel ${median(perRung).toFixed(2)} s`);
    console.log(`  segue POST /tracks?wait=true                  ${segueSeconds.toFixed(2)} s`);
    console.log(`  ratio to the one-command line                 ${(segueSeconds / median(oneCommand)).toFixed(2)}`);
    console.log(`  ratio to the per-rung command lines           ${(segueSeconds / median(perRung)).toFixed(2)}`);
    console.log(`  CPU per ingest: crud with its ffmpeg runs ${(cpu.crud / RUNS).toFixed(1)} s, database ${(cpu.database / RUNS).toFixed(1)} s`);
    console.log('memory: ingesting a 200 MiB WAV');
    console.log(`  crud process peak RSS                         ${mebibytes(peak)} (limit ${mebibytes(RSS_LIMIT)}: ${peak < RSS_LIMIT ? 'ok' : 'OVER'})`);
    if (databasePeak) console.log(`  embedded database peak RSS (separate process) ${mebibytes(databasePeak)}`);
  } finally {
    await database.stop();
    await rm(root, { recursive: true, force: true });
  }
}

await main();
