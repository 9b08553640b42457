import { OwsError } from '../../src/ows/errors';

/** The OwsError `fn` throws; any other throw, or none, fails the test with what happened instead. */
export function owsErrorOf(fn: () => unknown): OwsError {
  try {
    fn();
  } catch (e) {
    if (e instanceof OwsError) return e;
    throw new Error(`expected an OwsError, got ${String(e)}`);
  }
  throw new Error('expected an OwsError, but nothing was thrown');
}
