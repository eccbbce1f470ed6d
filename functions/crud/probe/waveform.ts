/**
 * Builds a waveform of about `target` peaks from interleaved 16-bit PCM in
 * one pass: fine buckets while decoding (sized from the expected length),
 * merged down to the target at the end, since the real length is only known
 * then. The expected length is a file's claim: when the audio runs longer,
 * neighbouring buckets are merged and each holds twice as much, so memory
 * stays bounded whatever the file said.
 */
export class WaveformBuilder {
  private fine: number[] = [];
  private current = 0;
  private framesInBucket = 0;
  private carry = Buffer.alloc(0);
  frames = 0;

  constructor(
    private readonly channels: number,
    expectedFrames: number,
    private readonly target = 1000,
  ) {
    this.framesPerBucket = Math.max(1, Math.floor(expectedFrames / (target * 4)));
  }

  private framesPerBucket: number;

  push(chunk: Buffer): void {
    const data = this.carry.length > 0 ? Buffer.concat([this.carry, chunk]) : chunk;
    const frameBytes = 2 * this.channels;
    const usable = data.length - (data.length % frameBytes);
    const samples = this.samplesOf(data, usable);
    for (let index = 0; index < samples.length; index += this.channels) {
      for (let channel = 0; channel < this.channels; channel++) {
        const sample = Math.abs(samples[index + channel]!);
        if (sample > this.current) this.current = sample;
      }
      if (++this.framesInBucket === this.framesPerBucket) this.closeBucket();
    }
    this.frames += usable / frameBytes;
    this.carry = Buffer.from(data.subarray(usable));
  }

  /** A typed view needs 2-byte alignment, which pooled buffers do not always have. */
  private samplesOf(data: Buffer, bytes: number): Int16Array {
    if (data.byteOffset % 2 === 0) return new Int16Array(data.buffer, data.byteOffset, bytes / 2);
    return new Int16Array(Uint8Array.prototype.slice.call(data, 0, bytes).buffer);
  }

  private closeBucket() {
    this.fine.push(this.current / 32768);
    this.current = 0;
    this.framesInBucket = 0;
    if (this.fine.length >= this.target * 8) this.halveResolution();
  }

  private halveResolution() {
    const merged: number[] = [];
    for (let index = 0; index < this.fine.length; index += 2) merged.push(Math.max(this.fine[index]!, this.fine[index + 1] ?? 0));
    this.fine = merged;
    this.framesPerBucket *= 2;
  }

  /** Peaks in 0..1, rounded to 3 decimals to keep the track document small. */
  finish(): number[] {
    if (this.framesInBucket > 0) this.closeBucket();
    const count = Math.min(this.target, this.fine.length);
    const peaks: number[] = [];
    for (let index = 0; index < count; index++) {
      const start = Math.floor((index * this.fine.length) / count);
      const end = Math.floor(((index + 1) * this.fine.length) / count);
      let peak = 0;
      for (let fine = start; fine < end; fine++) peak = Math.max(peak, this.fine[fine]!);
      peaks.push(Math.round(peak * 1000) / 1000);
    }
    return peaks;
  }
}
