// Garbage of large request bodies. V8 collects its old generation only when its heuristics say so, which after a
// 50 MB body is much later than the request: the raw bytes, the decoded text and the parsed tree would all still
// take memory when the stored text is built and handed to the database, so a round trip would peak at several
// times the payload. After a large body is parsed, and after its tree is released, one full collection is run
// (a few hundred milliseconds, only for bodies of LARGE_BODY_BYTES or more; small requests never pay it).
import v8 from 'node:v8';
import vm from 'node:vm';

export const LARGE_BODY_BYTES = 8 * 1024 * 1024;

let gc: (() => void) | null | undefined;

/** Runs a full garbage collection when `bytes` (the size of what just became garbage) is large. */
export function collectAfterLargeBody(bytes: number): void {
  if (bytes < LARGE_BODY_BYTES) return;
  if (gc === undefined) {
    try {
      // `gc` is exposed to contexts created after the flag is set; the main context is unchanged.
      v8.setFlagsFromString('--expose-gc');
      gc = vm.runInNewContext('gc') as () => void;
    } catch {
      gc = null;
    }
  }
  gc?.();
}
