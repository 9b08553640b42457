import type { ChunkWriter } from '../chunkWriter';

const INF = Buffer.from('INF');
const NEG_INF = Buffer.from('-INF');

/** Writes PostgreSQL's float8 text r[a, b) as xs:double (its infinities are INF and -INF there; NaN is the same). */
export function putDouble(w: ChunkWriter, r: string, a: number, b: number): void {
  const c = r.charCodeAt(a);
  if (c === 73 /* I */) w.put(INF);
  else if (c === 45 && r.charCodeAt(a + 1) === 73) w.put(NEG_INF);
  else w.putAscii(r, a, b);
}
