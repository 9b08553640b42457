import type { XMLBuilder } from '../xml/document';
import type { Config } from '../config/config';
import { OwsError } from '../ows/errors';
import type { SeriesFormat } from './formats';
import type { RowLimit } from '../query/observations';

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

/**
 * The observation limit of an XML document within SOS_MAX_XML_BYTES (undefined for unbounded formats),
 * for streamSeries to enforce before the document's first byte.
 */
export function xmlRowLimit(config: Pick<Config, 'maxXmlBytes'>, f: SeriesFormat): RowLimit | undefined {
  if (!bounded(f)) return undefined;
  const max = maxXmlObservations(config, f);
  return {
    max,
    refuse: () =>
      new OwsError(
        'ResponseExceedsSizeLimit',
        'GetObservation',
        `The request matches more than ${max} observations, the most one ${xmlEncodingName(f)} document holds within ` +
          `${config.maxXmlBytes} bytes; narrow it (temporalFilter, offering) or use responseFormat=text/csv or application/json, which stream without limit`,
      ),
  };
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
