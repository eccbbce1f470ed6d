/**
 * The bytes a replica holds on its disk for uploads: those being received and
 * those waiting to be (or being) transcoded. Past the budget an upload is
 * refused with 503, so a burst of large uploads fills no disk.
 */
export class StagingBudget {
  private used = 0;

  constructor(readonly maxBytes: number) {}

  /** Takes `bytes` from the budget; false (and nothing taken) when they do not fit. */
  tryReserve(bytes: number): boolean {
    if (this.used + bytes > this.maxBytes) return false;
    this.used += bytes;
    return true;
  }

  release(bytes: number): void {
    this.used = Math.max(0, this.used - bytes);
  }

  get usedBytes(): number {
    return this.used;
  }
}
