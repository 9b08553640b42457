import { invalidParam, missingParam } from '../ows/errors';
import type { OwsContext, OwsRequest, OwsResponse } from '../ows/types';
import { Om20Encoder, XML_CONTENT_TYPE } from './encoders/om20';
import { CSV_CONTENT_TYPE, SosCsvEncoder } from './encoders/sosCsv';
import { DownsamplingJsonEncoder, JSON_CONTENT_TYPE, SosJsonEncoder } from './encoders/sosJson';
import { Wml2Encoder } from './encoders/wml2';
import { FORMAT, FormatId } from './ns';
import type { SeriesSelection } from '../query/observations';
import { seriesResponse } from './seriesResponse';
import { requireVersion, SosParams, sosParams } from './params';
import { parseOfferingFilter, parseQualityFlags, selectOfferings } from './selection';
import { parseTemporalFilters } from './temporal';
import { enforceXmlLimit } from './xmlLimit';

/** A validated GetObservation (2.0.0). */
export interface GetObservationRequest {
  selection: SeriesSelection;
  format: FormatId;
  downsample?: number;
}

const FORMAT_ALIASES: Record<string, FormatId> = {
  [FORMAT.om20]: 'om20',
  [FORMAT.wml2]: 'wml2',
  'application/json': 'json',
  json: 'json',
  'text/csv': 'csv',
  csv: 'csv',
};

/** Maps a responseFormat value (2.0.0) to our format id; unknown → InvalidParameterValue. */
export function parseResponseFormat(raw: string | undefined, allowed: Record<string, FormatId> = FORMAT_ALIASES, fallback: FormatId = 'om20'): FormatId {
  if (raw === undefined) return fallback;
  const v = raw.trim();
  if (v === '') throw missingParam('responseFormat', 'Parameter responseFormat is empty');
  const key = Object.keys(allowed).find((k) => k.toLowerCase() === v.toLowerCase().replace(/\s+/g, ''));
  if (!key) throw invalidParam('responseFormat', `Unsupported responseFormat "${v}"; supported: ${Object.keys(allowed).join(', ')}`);
  return allowed[key];
}

function parseDownsample(p: SosParams, format: FormatId): number | undefined {
  const raw = p.single('downsample');
  if (raw === undefined) return undefined;
  if (!/^\d+$/.test(raw.trim()) || Number(raw) < 2 || Number(raw) > 10_000_000) throw invalidParam('downsample', 'downsample is a whole number of points, at least 2');
  if (format !== 'json') throw invalidParam('downsample', 'downsample applies to responseFormat=application/json only');
  return Number(raw);
}

/** Parses and validates a SOS 2.0 GetObservation (KVP or XML). */
export async function parseGetObservation(req: OwsRequest, ctx: OwsContext): Promise<GetObservationRequest> {
  const p = sosParams(req);
  const filter = parseOfferingFilter(p);
  const time = parseTemporalFilters(p);
  const qc = parseQualityFlags(p);
  const format = parseResponseFormat(p.single('responseFormat'));
  const downsample = parseDownsample(p, format);
  const offerings = await selectOfferings(ctx.store, filter);
  return { selection: { offerings, time, qc }, format, downsample };
}

/** SOS 2.0 GetObservation: O&M 2.0, WaterML 2.0 (both size-limited), JSON or CSV (unlimited), streamed. */
export async function getObservation(req: OwsRequest, ctx: OwsContext): Promise<OwsResponse> {
  requireVersion(req, ['2.0.0']);
  const q = await parseGetObservation(req, ctx);
  switch (q.format) {
    case 'om20':
      await enforceXmlLimit(ctx, q.selection, 'om20');
      return seriesResponse(ctx, q.selection, XML_CONTENT_TYPE, (w) => new Om20Encoder(w));
    case 'wml2':
      await enforceXmlLimit(ctx, q.selection, 'wml2');
      return seriesResponse(ctx, q.selection, XML_CONTENT_TYPE, (w) => new Wml2Encoder(w));
    case 'json':
      return seriesResponse(ctx, q.selection, JSON_CONTENT_TYPE, (w) => (q.downsample ? new DownsamplingJsonEncoder(w, q.downsample) : new SosJsonEncoder(w)));
    case 'csv':
      return seriesResponse(ctx, q.selection, CSV_CONTENT_TYPE, (w) => new SosCsvEncoder(w));
    default:
      throw invalidParam('responseFormat', `Format ${q.format} is not available in SOS 2.0.0`);
  }
}
