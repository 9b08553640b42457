import { invalidParam } from '../ows/errors';
import type { OwsContext, OwsRequest, OwsResponse } from '../ows/types';
import { SeriesFormat, seriesFormat20, seriesFormats } from './formats';
import type { SeriesSelection } from '../query/observations';
import { seriesResponse } from './seriesResponse';
import { requireVersion, SosParams, sosParams } from './params';
import { parseOfferingFilter, parseQualityFlags, selectOfferings } from './selection';
import { parseTemporalFilters } from './temporal';
import { xmlRowLimit } from './xmlLimit';

/** A validated GetObservation (2.0.0). */
export interface GetObservationRequest {
  selection: SeriesSelection;
  format: SeriesFormat;
  downsample?: number;
}

function parseDownsample(p: SosParams, format: SeriesFormat): number | undefined {
  const raw = p.single('downsample');
  if (raw === undefined) return undefined;
  if (!/^\d+$/.test(raw.trim()) || Number(raw) < 2 || Number(raw) > 10_000_000) throw invalidParam('downsample', 'downsample is a whole number of points, at least 2');
  if (!format.downsample) {
    const takers = seriesFormats('2.0.0').filter((f) => f.downsample).map((f) => f.responseFormat);
    throw invalidParam('downsample', `downsample applies to responseFormat=${takers.join(' or ')} only`);
  }
  return Number(raw);
}

/** Parses and validates a SOS 2.0 GetObservation (KVP or XML). */
export async function parseGetObservation(req: OwsRequest, ctx: OwsContext): Promise<GetObservationRequest> {
  const p = sosParams(req);
  const filter = parseOfferingFilter(p);
  const time = parseTemporalFilters(p);
  const qc = parseQualityFlags(p);
  const format = seriesFormat20(p.single('responseFormat'));
  const downsample = parseDownsample(p, format);
  const offerings = await selectOfferings(ctx.store, filter);
  return { selection: { offerings, time, qc }, format, downsample };
}

/** SOS 2.0 GetObservation in any format of the table (src/sos/formats.ts), streamed; XML formats are size-limited. */
export async function getObservation(req: OwsRequest, ctx: OwsContext): Promise<OwsResponse> {
  requireVersion(req, ['2.0.0']);
  const q = await parseGetObservation(req, ctx);
  return seriesResponse(ctx, q.selection, q.format.contentType, (w) => q.format.encoder(w, { downsample: q.downsample }), undefined, xmlRowLimit(ctx.config, q.format));
}
