import { missingParam } from '../ows/errors';
import type { OwsContext, OwsRequest, OwsResponse } from '../ows/types';
import { loadOfferings, Offering } from './catalog';
import { ChunkWriter } from './encoders/chunkWriter';
import { Om20Encoder, XML_CONTENT_TYPE } from './encoders/om20';
import { parseResponseFormat } from './getObservation';
import { FORMAT } from './ns';
import { requireVersion, sosParams } from './params';
import { SqlParams } from '../query/sqlParams';

/** Splits `<offering>/<epochSeconds>`; anything else names no observation. */
export function parseObservationId(id: string): { offering: string; epoch: number } | undefined {
  const slash = id.lastIndexOf('/');
  if (slash <= 0) return undefined;
  const epoch = id.slice(slash + 1);
  if (!/^-?\d{1,12}$/.test(epoch)) return undefined;
  return { offering: id.slice(0, slash), epoch: Number(epoch) };
}

/** SOS 2.0 GetObservationById: O&M observations for `<offering>/<epochSeconds>` ids; unknown ids → empty response. */
export async function getObservationById(req: OwsRequest, ctx: OwsContext): Promise<OwsResponse> {
  requireVersion(req, ['2.0.0']);
  const p = sosParams(req);
  const ids = p.list('observation');
  if (!ids || ids.length === 0) throw missingParam('observation');
  parseResponseFormat(p.single('responseFormat'), { [FORMAT.om20]: 'om20' });
  const byCode = new Map((await loadOfferings(ctx.store)).map((o) => [o.code, o]));
  const wanted = new Map<Offering, number[]>();
  for (const id of ids.slice(0, 1000)) {
    const parsed = parseObservationId(id);
    const ds = parsed && byCode.get(parsed.offering);
    if (!parsed || !ds) continue;
    wanted.set(ds, [...(wanted.get(ds) ?? []), parsed.epoch]);
  }
  return {
    kind: 'stream',
    contentType: XML_CONTENT_TYPE,
    produce: async (sink) => {
      const w = new ChunkWriter(sink);
      const enc = new Om20Encoder(w, 'GetObservationById');
      await enc.begin();
      for (const [ds, epochs] of wanted) {
        // An id names the observation within its second (ids are truncated epochs, like the times written).
        // At most 1,000 ids: one bounded query, its rows joined by PostgreSQL as the encoder reads them.
        const params = new SqlParams();
        const [id, es, sep] = [params.add(ds.id), params.add(epochs), params.add(enc.textSeparator ?? '')];
        const r = await ctx.store.query<{ t: string | null }>(
          `SELECT string_agg(l, ${sep}::text) AS t FROM (SELECT ${enc.textSql} AS l FROM (SELECT DISTINCT e FROM unnest(${es}::bigint[]) e) i
             JOIN observation o ON o.dataset_id = ${id} AND o.time >= to_timestamp(i.e) AND o.time < to_timestamp(i.e + 1) ORDER BY o.time) s`,
          params.values,
        );
        const text = r.rows[0]?.t;
        if (text == null) continue;
        await enc.seriesStart(ds);
        await enc.text(ds, text);
      }
      await enc.end();
      w.close();
    },
  };
}
