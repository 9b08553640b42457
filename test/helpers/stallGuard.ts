/**
 * Hang detection for tests that must not assert on wall-clock time: a request fails only when the
 * server stays silent (no headers, no body bytes) for a long stretch, however slow a loaded machine
 * makes an answer that is still progressing. The error names the request so a report is actionable.
 */

/** Silence after which a request counts as hung (no byte for this long). */
export const STALL_MS = 90_000;

export interface GuardedResponse {
  status: number;
  headers: Headers;
  text: string;
}

/** Raised when a request hangs (no progress for `stallMs`) or the connection is cut. */
export class StalledRequestError extends Error {}

/** Fetches `url` and reads the whole body, failing only if no progress is seen for `stallMs`. */
export async function fetchGuarded(url: string, init: RequestInit = {}, what = `${init.method ?? 'GET'} ${url}`, stallMs = STALL_MS): Promise<GuardedResponse> {
  const controller = new AbortController();
  let timer: NodeJS.Timeout | undefined;
  let stalled = false;
  const arm = () => {
    clearTimeout(timer);
    timer = setTimeout(() => {
      stalled = true;
      controller.abort();
    }, stallMs);
  };
  arm();
  try {
    const res = await fetch(url, { ...init, signal: controller.signal });
    arm();
    const chunks: Uint8Array[] = [];
    if (res.body) {
      const reader = res.body.getReader();
      for (;;) {
        const { done, value } = await reader.read();
        if (done) break;
        chunks.push(value);
        arm();
      }
    }
    return { status: res.status, headers: res.headers, text: Buffer.concat(chunks).toString('utf8') };
  } catch (err) {
    const why = stalled ? `no progress for ${stallMs} ms (hung)` : `connection failed: ${(err as Error).message}`;
    throw new StalledRequestError(`${why} for ${what}`);
  } finally {
    clearTimeout(timer);
  }
}
