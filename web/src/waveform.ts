/** Draws the stored peaks as bars, the played part in the accent colour. */
export class Waveform {
  readonly canvas: HTMLCanvasElement;
  private fraction = 0;
  private frame = 0;

  constructor(private peaks: number[]) {
    this.canvas = document.createElement('canvas');
    this.canvas.className = 'waveform';
    this.canvas.setAttribute('aria-hidden', 'true');
  }

  /** The peaks of a track whose whole file has been decoded since it was drawn. */
  set values(peaks: number[]) {
    this.peaks = peaks;
    this.schedule();
  }

  /** 0..1 of the track played. */
  set played(fraction: number) {
    if (Math.abs(fraction - this.fraction) < 0.001) return;
    this.fraction = fraction;
    this.schedule();
  }

  schedule(): void {
    cancelAnimationFrame(this.frame);
    this.frame = requestAnimationFrame(() => this.draw());
  }

  private draw(): void {
    const { canvas, peaks } = this;
    const ratio = window.devicePixelRatio || 1;
    const width = Math.max(1, Math.round(canvas.clientWidth * ratio));
    const height = Math.max(1, Math.round(canvas.clientHeight * ratio));
    if (canvas.width !== width || canvas.height !== height) {
      canvas.width = width;
      canvas.height = height;
    }
    const context = canvas.getContext('2d');
    if (!context) return;
    const style = getComputedStyle(canvas);
    const played = style.getPropertyValue('--played').trim() || '#7dd3fc';
    const rest = style.getPropertyValue('--unplayed').trim() || '#475569';
    context.clearRect(0, 0, width, height);
    const bar = 2 * ratio;
    const gap = 1 * ratio;
    const bars = Math.max(1, Math.floor(width / (bar + gap)));
    for (let index = 0; index < bars; index++) {
      // the loudest peak in this bar's share of the track
      const from = Math.floor((index / bars) * peaks.length);
      const to = Math.max(from + 1, Math.floor(((index + 1) / bars) * peaks.length));
      let peak = 0;
      for (let each = from; each < to && each < peaks.length; each++) peak = Math.max(peak, peaks[each]!);
      const barHeight = Math.max(ratio, peak * height);
      context.fillStyle = index / bars < this.fraction ? played : rest;
      context.fillRect(index * (bar + gap), (height - barHeight) / 2, bar, barHeight);
    }
  }

  dispose(): void {
    cancelAnimationFrame(this.frame);
  }
}
