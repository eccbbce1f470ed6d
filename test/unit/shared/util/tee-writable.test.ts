import { Readable, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { setTimeout as sleep } from 'node:timers/promises';
import { expect } from 'chai';
import { teeWritable } from '../../../../functions/shared/util/tee-writable.js';

/** A sink that takes `delayMs` per chunk, remembering what it got and how far ahead of it the source ran. */
function slowSink(delayMs: number, failAt?: number) {
  const received: Buffer[] = [];
  let destroyed = false;
  const stream = new Writable({
    highWaterMark: 1,
    write(chunk: Buffer, _encoding, callback) {
      if (received.length === failAt) return callback(new Error('the sink broke'));
      received.push(chunk);
      setTimeout(callback, delayMs);
    },
    destroy(error, callback) {
      destroyed = true;
      callback(error);
    },
  });
  return { stream, received, destroyed: () => destroyed };
}

const chunks = (count: number) => Array.from({ length: count }, (_, index) => Buffer.from(`chunk ${index}`));

describe('teeWritable', () => {
  it('gives every target every chunk, in order, and finishes once all have', async () => {
    const fast = slowSink(0);
    const slow = slowSink(5);
    await pipeline(Readable.from(chunks(20)), teeWritable([fast.stream, slow.stream]));
    expect(fast.received.map(String)).to.deep.equal(chunks(20).map(String));
    expect(slow.received.map(String)).to.deep.equal(chunks(20).map(String));
  });

  it('goes at the pace of the slowest target: the source is never further ahead of it than the buffers between', async () => {
    const slow = slowSink(2);
    let pulled = 0;
    let mostAhead = 0;
    const source = new Readable({
      highWaterMark: 1,
      read() {
        mostAhead = Math.max(mostAhead, pulled - slow.received.length);
        this.push(pulled < 200 ? Buffer.alloc(1024, pulled++) : null);
      },
    });
    await pipeline(source, teeWritable([slowSink(0).stream, slow.stream]));
    expect(slow.received).to.have.length(200);
    // the tee's own 16 KiB buffer, a chunk in the source's, one in the slow sink's
    expect(mostAhead * 1024).to.be.at.most(16 * 1024 + 3 * 1024);
  });

  it('fails with the first target error and stops the other target', async () => {
    const broken = slowSink(0, 3);
    const other = slowSink(1);
    let caught: unknown;
    await pipeline(Readable.from(chunks(20)), teeWritable([other.stream, broken.stream])).catch((error: unknown) => (caught = error));
    expect((caught as Error).message).to.equal('the sink broke');
    await sleep(5);
    expect(other.destroyed(), 'the other target is stopped').to.equal(true);
    expect(other.received.length).to.be.below(20);
  });

  it('stops every target when the source fails, reporting the source error once', async () => {
    const first = slowSink(0);
    const second = slowSink(0);
    const source = new Readable({
      read() {
        this.destroy(new Error('the client went away'));
      },
    });
    let caught: unknown;
    await pipeline(source, teeWritable([first.stream, second.stream])).catch((error: unknown) => (caught = error));
    expect((caught as Error).message).to.equal('the client went away');
    expect(first.destroyed() && second.destroyed()).to.equal(true);
  });
});
