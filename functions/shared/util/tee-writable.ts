import { Writable } from 'node:stream';
import { finished } from 'node:stream/promises';

/**
 * Writes every chunk to each of `targets`, taking the next only once all of
 * them have taken this one: the slowest sets the pace, so memory stays
 * bounded whatever their speeds. Ends once all of them have finished; fails
 * with the first of their errors, which stops the others.
 */
export function teeWritable(targets: Writable[]): Writable {
  const tee = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      let waiting = targets.length;
      let failed = false;
      const done = (error?: Error | null) => {
        if (failed) return;
        if (error) {
          failed = true;
          return callback(error);
        }
        if (--waiting === 0) callback();
      };
      for (const target of targets) target.write(chunk, done);
    },
    final(callback) {
      for (const target of targets) target.end();
      Promise.all(targets.map((target) => finished(target))).then(() => callback(), callback);
    },
    destroy(error, callback) {
      // the error is the tee's to report: the targets are only stopped
      for (const target of targets) target.destroy();
      callback(error);
    },
  });
  for (const target of targets) target.on('error', (error) => tee.destroy(error));
  return tee;
}
