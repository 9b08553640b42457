import { missingParam } from '../ows/errors';
import type { OwsContext, OwsRequest, OwsResponse } from '../ows/types';
import type { Offering } from '../catalog/offerings';
import { loadOfferings } from '../query/catalogue';
import { observationsAtSeconds } from '../query/observations';
import { ChunkWriter } from '../encoders/chunkWriter';
import { Om20Encoder, XML_CONTENT_TYPE } from '../encoders/series/om20';
import { OBSERVATION_BY_ID_FORMATS, pickFormat } from './formats';
import { requireVersion, sosParams } from './params';

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
  pickFormat(p.single('responseFormat'), OBSERVATION_BY_ID_FORMATS, OBSERVATION_BY_ID_FORMATS[0]);
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
        const text = await observationsAtSeconds(ctx.store, ds.id, epochs, enc.textSql, enc.textSeparator ?? '');
        if (text == null) continue;
        await enc.seriesStart(ds);
        await enc.text(ds, text);
        await enc.seriesEnd();
      }
      await enc.end();
      w.close();
    },
  };
}
