import type { Writable } from 'node:stream';

/**
 * Resolves when `target` drains; rejects ("client disconnected") when the response closes first or the
 * request was given up (`gone`). The one backpressure wait of the response writers (send.ts, segmentedGzip.ts).
 */
export function waitDrain(target: Writable, res: Writable = target, gone: () => boolean = () => res.destroyed): Promise<void> {
  return new Promise((resolve, reject) => {
    const done = () => {
      target.off('drain', done);
      res.off('close', done);
      gone() || res.destroyed ? reject(new Error('client disconnected')) : resolve();
    };
    target.on('drain', done);
    res.on('close', done);
  });
}
