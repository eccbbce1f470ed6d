/**
 * At most `count` holders at a time; the rest wait in order. Waiting ends
 * early, with the signal's reason, when the signal aborts.
 */
export class Slots {
  private free: number;
  private readonly waiting: Array<() => void> = [];

  constructor(private readonly count: number) {
    this.free = count;
  }

  /** Resolves with the function that gives the slot back (calling it twice gives back one slot). */
  async acquire(signal: AbortSignal): Promise<() => void> {
    signal.throwIfAborted();
    if (this.free > 0) {
      this.free--;
    } else {
      await new Promise<void>((resolve, reject) => {
        const grant = () => {
          signal.removeEventListener('abort', onAbort);
          resolve();
        };
        const onAbort = () => {
          const index = this.waiting.indexOf(grant);
          if (index >= 0) this.waiting.splice(index, 1);
          reject(signal.reason);
        };
        this.waiting.push(grant);
        signal.addEventListener('abort', onAbort, { once: true });
      });
    }
    let released = false;
    return () => {
      if (released) return;
      released = true;
      const next = this.waiting.shift();
      if (next) next();
      else this.free++;
    };
  }

  /** How many wait for a slot. */
  get queued(): number {
    return this.waiting.length;
  }

  /** How many hold one. */
  get held(): number {
    return this.count - this.free;
  }
}
