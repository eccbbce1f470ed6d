import { statfs } from 'node:fs/promises';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Loudness, RenditionId, StoredRendition, TrackDocument } from '../../core/schemas/track.js';
import { isDatabaseUnreachable } from '../../shared/storage/database.js';
import { makeTempDir, removeDir } from '../../shared/util/temp-dir.js';
import { SEGMENT_SECONDS } from '../../core/hls.js';
import { AudioRefused } from '../probe/audio-refused.js';
import type { StagedMedia } from '../media/audio-formats.js';
import { FfmpegError } from '../media/ffmpeg.js';
import { measureAudio } from '../probe/measure-audio.js';
import { measureLoudness } from '../probe/measure-loudness.js';
import { type ProbedAudio, probeAudio } from '../probe/probe-audio.js';
import { IncompleteOutputError } from '../transcode/incomplete-output.js';
import type { RenditionPlan } from '../transcode/ladder.js';
import { type EncodedSegment, peakSegmentBitrate } from '../transcode/rendition-facts.js';
import { transcodeLadder } from '../transcode/transcode-ladder.js';
import { runTogether } from '../../shared/util/run-together.js';
import { Slots } from '../../shared/util/slots.js';
import { LeaseKeeper, LeaseLostError } from './lease-keeper.js';
import type { CrudServices } from '../services.js';

export type ProcessorServices = Pick<CrudServices, 'tools' | 'tracks' | 'segments' | 'originals' | 'config' | 'owner' | 'logger' | 'metrics'>;

/** A file on local disk to transcode from, with what its headers say, removed when the job no longer needs it. */
export interface LocalSource extends StagedMedia {
  probed: ProbedAudio;
  dispose(): Promise<void>;
}

/**
 * How a job ended, for whoever waits on it: `refusal` when decoding the whole
 * file showed it is not acceptable audio after all (cut off, longer than
 * allowed, undecodable), the error an upload waiting for its track answers.
 */
export interface JobEnd {
  refusal?: AudioRefused;
}

/** Segments listed on the track so far, per rung. */
type ListedCounts = Map<RenditionId, number>;

/** The bandwidth a growing rung declares: its peak so far, and room for a louder passage still to come. */
const GROWING_HEADROOM = 1.1;

/** Database outages a job waits out and starts over after; past this the track is handed back. */
const MAX_OUTAGES = 3;
/** How long a job waits for the database to answer again, polling with these delays. */
const OUTAGE_WAIT_MS = 120_000;
const OUTAGE_POLL_DELAYS_MS = [250, 500, 1000, 2000];

/** Waits before a job that found the disk full is tried again; past these, the track is handed back. */
const FULL_DISK_DELAYS_MS = [5_000, 15_000, 30_000, 60_000];

/** Less room than this where jobs write, and output that is not whole is put down to a full disk. */
const NEARLY_FULL_BYTES = 64 * 1024 * 1024;

/**
 * No space left where the job writes: it may well be there later. ffmpeg
 * does not say so (its HLS muxer leaves empty or cut segments and exits 0;
 * its messages, which carry the file's own tags, are never taken as
 * evidence), so output that is not whole, on a disk that is nearly full,
 * counts as a full disk, as does ENOSPC from a write of ours.
 */
async function isDiskFull(error: unknown, tmpDir: string): Promise<boolean> {
  if ((error as NodeJS.ErrnoException | null)?.code === 'ENOSPC') return true;
  if (!(error instanceof IncompleteOutputError)) return false;
  const { bavail, bsize } = await statfs(tmpDir);
  return bavail * bsize < NEARLY_FULL_BYTES;
}

/** The replica is going away; the lease is handed back so another one resumes at once. */
export class ShutdownError extends Error {
  override name = 'ShutdownError';
}

interface RunningJob {
  controller: AbortController;
  settled: Promise<JobEnd>;
}

/**
 * Runs the transcoding jobs of the tracks this replica holds leases on, and
 * decides what each ending means: ready, failed (with cleanup), handed back,
 * or abandoned because the track was deleted or taken over.
 */
export class TrackProcessor {
  private readonly running = new Map<string, RunningJob>();
  private readonly slots: Slots;
  private shuttingDown = false;

  constructor(private readonly deps: ProcessorServices) {
    this.slots = new Slots(deps.config.maxConcurrentJobs);
  }

  /**
   * Runs the job of a track. `openSource` is called once the job has a slot;
   * `discard` instead, if the job ends before that (deleted while it waited),
   * so what the source holds (an upload's file) is never left behind.
   */
  start(track: TrackDocument, openSource: () => Promise<LocalSource>, discard: () => Promise<void> = async () => {}): void {
    if (this.running.has(track._id)) throw new Error(`track ${track._id} already has a job here`);
    const controller = new AbortController();
    // accepted while the replica shuts down: handed straight back, for another replica to run
    if (this.shuttingDown) controller.abort(new ShutdownError('shutting down'));
    const job: RunningJob = { controller, settled: Promise.resolve({}) };
    job.settled = this.run(track, openSource, discard, controller.signal).finally(() => {
      // a job started again for this track (reprocessed) is not this one's to forget
      if (this.running.get(track._id) === job) this.running.delete(track._id);
    });
    this.running.set(track._id, job);
  }

  /** Picks up a track another replica left unfinished, from its stored original. */
  resume(track: TrackDocument): void {
    this.start(track, () => this.downloadOriginal(track._id));
  }

  isRunning(trackId: string): boolean {
    return this.running.has(trackId);
  }

  /** Tracks this replica holds: transcoding, or waiting for a slot. */
  get jobCount(): number {
    return this.running.size;
  }

  /** Jobs waiting for a slot, and jobs holding one. */
  get load(): { queued: number; running: number } {
    return { queued: this.slots.queued, running: this.slots.held };
  }

  async whenSettled(trackId: string): Promise<JobEnd> {
    return (await this.running.get(trackId)?.settled) ?? {};
  }

  /** Stops the job of a track that is being deleted, once it has stopped writing. */
  async cancel(trackId: string): Promise<void> {
    const job = this.running.get(trackId);
    if (!job) return;
    job.controller.abort(new LeaseLostError(`track ${trackId} was deleted`));
    await job.settled;
  }

  /** Shut down: jobs started now are handed straight back. */
  get closed(): boolean {
    return this.shuttingDown;
  }

  async shutdown(): Promise<void> {
    this.shuttingDown = true;
    const jobs = [...this.running.values()];
    for (const job of jobs) job.controller.abort(new ShutdownError('shutting down'));
    await Promise.all(jobs.map((job) => job.settled));
  }

  private async downloadOriginal(trackId: string): Promise<LocalSource> {
    const dir = await makeTempDir(this.deps.config.tmpDir, 'original');
    const dispose = () => removeDir(dir);
    try {
      const path = join(dir, 'original');
      await this.deps.originals.downloadTo(trackId, path);
      // it was accepted as audio; what its headers say is read again, the same way
      const probed = await probeAudio(this.deps.tools, path);
      return { path, format: probed.format, probed, dispose };
    } catch (error) {
      await dispose();
      throw error;
    }
  }

  private async run(
    track: TrackDocument,
    openSource: () => Promise<LocalSource>,
    discard: () => Promise<void>,
    cancelled: AbortSignal,
  ): Promise<JobEnd> {
    const { tracks, owner, logger, metrics } = this.deps;
    const { leaseMs } = this.deps.config;
    const keeper = new LeaseKeeper(tracks, track._id, owner, leaseMs, logger);
    const signal = AbortSignal.any([cancelled, keeper.signal]);
    keeper.start();
    let source: LocalSource | undefined;
    let releaseSlot: (() => void) | undefined;
    const started = performance.now();
    try {
      // the lease is renewed while the job waits its turn, so no other replica takes it meanwhile
      releaseSlot = await this.slots.acquire(signal);
      source = await openSource();
      // what earlier runs of this track listed, which every run of this job goes on from
      const listed: ListedCounts = new Map(
        Object.entries(track.growing ?? {}).map(([rung, growing]) => [rung as RenditionId, growing.segmentDurations.length]),
      );
      for (let outages = 1, fullDisks = 0; ; ) {
        try {
          await this.transcode(track, source, keeper, listed, signal);
          break;
        } catch (error) {
          if (signal.aborted) throw error;
          if (isDatabaseUnreachable(error) && outages++ <= MAX_OUTAGES) {
            metrics.jobRetried('database');
            logger.warn({ trackId: track._id, err: error }, 'the database went away during a job; starting over once it answers');
            if (await this.isReadyAfterOutage(track, error, signal)) break;
          } else if (fullDisks < FULL_DISK_DELAYS_MS.length && (await isDiskFull(error, this.deps.config.tmpDir))) {
            metrics.jobRetried('disk_full');
            logger.warn({ trackId: track._id, tmpDir: this.deps.config.tmpDir }, 'the disk is full; trying the job again shortly');
            await sleep(FULL_DISK_DELAYS_MS[fullDisks++], undefined, { signal });
          } else {
            throw error;
          }
        }
      }
      metrics.jobFinished('ready');
      logger.info({ trackId: track._id, processMs: Math.round(performance.now() - started) }, 'track ready');
      return {};
    } catch (error) {
      // renewals end before the track is let go: one landing after a hand-back would take it back
      await keeper.stop();
      const reason = signal.aborted ? signal.reason : error;
      await this.settleFailure(track, reason).catch((cleanupError: unknown) =>
        // the lease runs out and the sweeper tries again later
        logger.error({ err: cleanupError, trackId: track._id }, 'could not settle a failed job'),
      );
      return reason instanceof AudioRefused ? { refusal: reason } : {};
    } finally {
      releaseSlot?.();
      await keeper.stop();
      await (source ? source.dispose() : discard());
    }
  }

  /**
   * Encodes the ladder, decodes the whole file once more to prove it and
   * measure it (length, waveform), and measures loudness, all at once from the
   * local source; then flips the track to ready. Each rung's segments are
   * listed on the track as they are stored, so it plays while this goes on.
   *
   * A run after another (a replica that died, a database outage, a full disk)
   * writes the same bytes under the same names (the encoders are bit-exact):
   * it rewrites what earlier runs stored and lists only what they did not,
   * so a listener never loses a listed segment and the playlists only grow.
   */
  private async transcode(track: TrackDocument, source: LocalSource, keeper: LeaseKeeper, listed: ListedCounts, signal: AbortSignal): Promise<void> {
    const { tools, tracks, owner, metrics } = this.deps;
    const { maxDurationSec } = this.deps.config;
    const held = (written: boolean) => {
      if (!written) throw new LeaseLostError(`lost the lease of track ${track._id}`);
    };
    const listener = {
      onStored: async (plan: RenditionPlan, fresh: EncodedSegment[], stored: EncodedSegment[]) => {
        const alreadyListed = listed.get(plan.id) ?? 0;
        const unlisted = fresh.slice(Math.max(0, alreadyListed - (stored.length - fresh.length)));
        if (unlisted.length === 0) return;
        const peakBandwidth = Math.ceil(Math.max(peakSegmentBitrate(stored, SEGMENT_SECONDS), plan.bitrate) * GROWING_HEADROOM);
        const facts = { bitrate: plan.bitrate, channels: plan.channels, sampleRate: plan.sampleRate, peakBandwidth };
        held(await tracks.appendSegments(track._id, owner, plan.id, facts, unlisted.map((segment) => segment.duration)));
        listed.set(plan.id, alreadyListed + unlisted.length);
      },
      onProgress: (fraction: number) => keeper.report(fraction),
    };
    const media = { ...source, durationSec: track.durationSec };
    // decoding the whole file decides whether it is acceptable audio: its refusal stops the encoders, and
    // when they fail first (a file that does not decode fails them too) it is what the job fails with
    const refused = new AbortController();
    const encodersFailed = new AbortController();
    const measureSignal = AbortSignal.any([signal, encodersFailed.signal]);
    const measuring = metrics.time('measure', () => measureAudio(tools, source.path, source.probed, maxDurationSec, measureSignal)).then(
      async (result) => {
        held(await tracks.recordMeasurement(track._id, owner, result));
        return result;
      },
      (error: unknown) => {
        refused.abort(error);
        throw error;
      },
    );
    measuring.catch(() => undefined);
    let encoded: readonly [StoredRendition[], Loudness];
    try {
      encoded = await runTogether([
        (shared: AbortSignal) => metrics.time('transcode', () => transcodeLadder(this.deps, track, media, shared, listener)),
        (shared: AbortSignal) => metrics.time('loudness', () => measureLoudness(tools, source, track.durationSec, shared)),
      ] as const, AbortSignal.any([signal, refused.signal]));
    } catch (error) {
      // an encoder that could not read the file is answered by the decode; any other failure (the database,
      // the disk) says nothing about the file, and the decode stops with it
      if (!(error instanceof FfmpegError)) encodersFailed.abort(error);
      await measuring;
      throw error;
    }
    const [renditions, loudness] = encoded;
    const measured = await measuring;
    const outcome = { renditions, loudness, durationSec: measured.durationSec, peaks: measured.peaks };
    if (!(await tracks.markReady(track._id, owner, outcome))) {
      throw new LeaseLostError('lost the lease while finishing');
    }
  }

  /**
   * Waits until the database answers again and says where the track stands:
   * true if the write that made it ready went through before the outage,
   * false if it is still this replica's to finish. Throws when it is not
   * (deleted or taken over), or when the database stays away.
   */
  private async isReadyAfterOutage(track: TrackDocument, outage: unknown, signal: AbortSignal): Promise<boolean> {
    const { tracks, owner } = this.deps;
    const giveUpAt = Date.now() + OUTAGE_WAIT_MS;
    for (let poll = 0; ; poll++) {
      await sleep(OUTAGE_POLL_DELAYS_MS[Math.min(poll, OUTAGE_POLL_DELAYS_MS.length - 1)], undefined, { signal });
      try {
        const current = await tracks.get(track._id);
        // only the lease holder, this job, can have made it ready
        if (current?.status === 'ready') return true;
        if (current?.status === 'processing' && current.lease?.owner === owner) return false;
        throw new LeaseLostError(`track ${track._id} was deleted or taken over while the database was away`);
      } catch (error) {
        if (!isDatabaseUnreachable(error)) throw error;
        if (Date.now() >= giveUpAt) throw outage;
      }
    }
  }

  private async settleFailure(track: TrackDocument, error: unknown): Promise<void> {
    const { tracks, segments, owner, logger, metrics } = this.deps;
    const context = { trackId: track._id, err: error };
    if (error instanceof ShutdownError || isDatabaseUnreachable(error)) {
      metrics.jobFinished('handed_back');
      logger.warn(context, 'job interrupted; handing the track back');
      await tracks.releaseLease(track._id, owner);
      return;
    }
    if (await isDiskFull(error, this.deps.config.tmpDir)) {
      // an attempt all the same: a disk that stays full ends in too_many_attempts, not in retries for ever
      metrics.jobFinished('handed_back');
      logger.warn(context, 'the disk stayed full; handing the track back');
      await tracks.releaseLease(track._id, owner, { countAttempt: true });
      return;
    }
    if (error instanceof LeaseLostError) {
      metrics.jobFinished('abandoned');
      logger.warn(context, 'job stopped: lease lost');
      // taken over: the new owner rewrites the segments; deleted: nobody else will remove what this job wrote
      if (!(await tracks.get(track._id))) await segments.deleteForTrack(track._id, track.durationSec);
      return;
    }
    await segments.deleteForTrack(track._id, track.durationSec);
    if (error instanceof AudioRefused) {
      metrics.jobFinished('refused');
      logger.warn({ trackId: track._id, code: error.code }, 'decoding the whole file refused it');
      await tracks.markFailed(track._id, owner, { code: error.code, message: error.message });
      return;
    }
    metrics.jobFinished('failed');
    logger.error(context, 'transcoding failed');
    await tracks.markFailed(track._id, owner, { code: 'transcode_failed', message: 'The audio could not be transcoded' });
  }
}
