import type { XMLBuilder } from '../xml/document';
import type { Config } from '../config/config';
import { OwsError } from '../ows/errors';
import type { OwsContext } from '../ows/types';
import type { SeriesFormat } from './formats';
import { countObservations, SeriesSelection } from '../query/observations';

/** How an XML encoding is named where its limit is advertised and reported: the SOS 1.0 result model, else the responseFormat. */
export function xmlEncodingName(f: SeriesFormat): string {
  return f.resultModel ?? f.responseFormat;
}

/** Most observations one document of a bounded format may hold so that it stays within SOS_MAX_XML_BYTES. */
export function maxXmlObservations(config: Pick<Config, 'maxXmlBytes'>, f: SeriesFormat & { xmlBytesPerObservation: number }): number {
  return Math.max(1, Math.floor(config.maxXmlBytes / f.xmlBytesPerObservation));
}

function bounded(f: SeriesFormat): f is SeriesFormat & { xmlBytesPerObservation: number } {
  return f.xmlBytesPerObservation !== undefined;
}

/** Refuses an XML document that would exceed SOS_MAX_XML_BYTES (observations counted cheaply, bounded); unbounded formats pass. */
export async function enforceXmlLimit(ctx: OwsContext, sel: SeriesSelection, f: SeriesFormat): Promise<void> {
  if (!bounded(f)) return;
  const max = maxXmlObservations(ctx.config, f);
  const n = await countObservations(ctx.store, sel, max);
  if (n > max) {
    throw new OwsError(
      'ResponseExceedsSizeLimit',
      'GetObservation',
      `The request matches more than ${max} observations, the most one ${xmlEncodingName(f)} document holds within ` +
        `${ctx.config.maxXmlBytes} bytes; narrow it (temporalFilter, offering) or use responseFormat=text/csv or application/json, which stream without limit`,
    );
  }
}

/** Advertises the limit of each bounded format on a GetObservation ows:Operation (one ows:Constraint per encoding). */
export function xmlLimitConstraints(op: XMLBuilder, config: Pick<Config, 'maxXmlBytes'>, formats: readonly SeriesFormat[]): void {
  for (const f of formats.filter(bounded)) {
    const name = xmlEncodingName(f);
    const c = op.ele('ows:Constraint', { name: `MaxObservations ${name}` });
    const r = c.ele('ows:AllowedValues').ele('ows:Range');
    r.ele('ows:MinimumValue').txt('0');
    r.ele('ows:MaximumValue').txt(String(maxXmlObservations(config, f)));
    c.ele('ows:Meaning').txt(`Most observations in one ${name} response (SOS_MAX_XML_BYTES=${config.maxXmlBytes}); above it ResponseExceedsSizeLimit; text/csv and application/json stream without limit`);
  }
}
