import { Counter, Gauge, Histogram } from 'prom-client';
import { toHttpError } from '../http/json-answer.js';
import type { Registry } from './registry.js';

/**
 * What an ingest goes through. At the upload: `probe` (what the file is) and
 * `store_original` (the original's last chunks and its files document: the
 * rest is stored as it arrives). In the job, at once: `transcode` (the whole
 * ladder, its segment writes included), `measure` (the whole file decoded
 * for its length and waveform), `loudness`; and `store_segments`, each write
 * of finished segments.
 */
export type IngestStage = 'probe' | 'measure' | 'store_original' | 'transcode' | 'loudness' | 'store_segments';

/**
 * How a job ended: `ready`; `failed` (the track too); `refused` (the track
 * failed too: decoding the whole file showed it cut off, too long or
 * undecodable past its start); `handed_back` (shut
 * down, the database away, the disk full: its lease is given up for a
 * later try); `abandoned` (the track was deleted or taken over meanwhile).
 */
export type JobOutcome = 'ready' | 'failed' | 'refused' | 'handed_back' | 'abandoned';
/** How an upload that was not refused ended: a new track, or the track that already held its bytes. */
export type UploadOutcome = 'accepted' | 'duplicate';
/** Why a job started over without giving its track up. */
export type JobRetry = 'database' | 'disk_full';

const UPLOAD_OUTCOMES: UploadOutcome[] = ['accepted', 'duplicate'];
const JOB_OUTCOMES: JobOutcome[] = ['ready', 'failed', 'refused', 'handed_back', 'abandoned'];
const JOB_RETRIES: JobRetry[] = ['database', 'disk_full'];
const STAGE_BUCKETS = [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600, 1800, 3600];

/** Uploads, the stages of an ingest, and the jobs of one crud function. */
export class IngestMetrics {
  private readonly uploads: Counter<'outcome'>;
  private readonly uploadBytes: Counter;
  private readonly stages: Histogram<'stage'>;
  private readonly jobs: Counter<'outcome'>;
  private readonly retries: Counter<'reason'>;

  constructor(
    registry: Registry,
    /** read at each scrape: jobs waiting for a slot, and jobs transcoding */
    jobLoad: () => { queued: number; running: number },
  ) {
    const registers = [registry];
    this.uploads = new Counter({
      name: 'segue_uploads_total',
      help: 'Uploads (POST /tracks) by outcome: accepted, duplicate (answered with the track that already held the same bytes), or the error code they were refused with',
      labelNames: ['outcome'],
      registers,
    });
    this.uploadBytes = new Counter({
      name: 'segue_upload_received_bytes_total',
      help: 'Bytes of uploaded files received, counted as they arrive, whatever became of the upload',
      registers,
    });
    this.stages = new Histogram({
      name: 'segue_ingest_stage_duration_seconds',
      help: 'Time a stage of an ingest took when it succeeded: probe, store_original (at the upload); transcode, measure, loudness, store_segments (each write; in the job)',
      labelNames: ['stage'],
      buckets: STAGE_BUCKETS,
      registers,
    });
    this.jobs = new Counter({
      name: 'segue_jobs_finished_total',
      help: 'Transcoding jobs ended, by outcome: ready, failed, refused (not acceptable audio once wholly decoded), handed_back (for a later try), abandoned (deleted or taken over)',
      labelNames: ['outcome'],
      registers,
    });
    this.retries = new Counter({
      name: 'segue_job_retries_total',
      help: 'Jobs started over in place, by reason: database (it went away), disk_full',
      labelNames: ['reason'],
      registers,
    });
    new Gauge({
      name: 'segue_jobs_queued',
      help: 'Jobs waiting for a transcoding slot (MAX_CONCURRENT_JOBS)',
      registers,
      collect() {
        this.set(jobLoad().queued);
      },
    });
    new Gauge({
      name: 'segue_jobs_running',
      help: 'Jobs transcoding',
      registers,
      collect() {
        this.set(jobLoad().running);
      },
    });
    // series that exist from the start: increase() sees their first step, and a query finds 0 rather than nothing
    for (const outcome of UPLOAD_OUTCOMES) this.uploads.inc({ outcome }, 0);
    for (const outcome of JOB_OUTCOMES) this.jobs.inc({ outcome }, 0);
    for (const reason of JOB_RETRIES) this.retries.inc({ reason }, 0);
  }

  /** Runs a stage, recording how long it took if it succeeds. */
  async time<T>(stage: IngestStage, work: () => Promise<T>): Promise<T> {
    const end = this.stages.startTimer({ stage });
    const result = await work();
    end();
    return result;
  }

  uploadBytesReceived(bytes: number): void {
    this.uploadBytes.inc(bytes);
  }

  /** Wraps the upload handler: what it answers, or the error it refuses the upload with, is the outcome. */
  countUploads<A extends unknown[]>(handler: (...args: A) => Promise<UploadOutcome>): (...args: A) => Promise<void> {
    return async (...args) => {
      try {
        this.uploads.inc({ outcome: await handler(...args) });
      } catch (error) {
        this.uploads.inc({ outcome: toHttpError(error).code });
        throw error;
      }
    };
  }

  jobFinished(outcome: JobOutcome): void {
    this.jobs.inc({ outcome });
  }

  jobRetried(reason: JobRetry): void {
    this.retries.inc({ reason });
  }
}
