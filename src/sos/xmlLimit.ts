import type { XMLBuilder } from 'xmlbuilder2/lib/interfaces';
import type { Config } from '../config/config';
import { OwsError } from '../ows/errors';
import type { OwsContext } from '../ows/types';
import { FORMAT } from './ns';
import { countObservations, SeriesSelection } from '../query/observations';

/** The XML encodings of GetObservation, each bounded by SOS_MAX_XML_BYTES (CSV and JSON stream without limit). */
export type XmlEncoding = 'om20' | 'wml2' | 'om10Observation' | 'om10Measurement';

/**
 * Bytes one observation adds to each XML document, rounded up from measurement on the demo network
 * (a whole offering divided by its rows; the figures grow with code lengths, hence the margin):
 * O&M 2.0 writes a whole OM_Observation per value (1053 B), WaterML 2.0 one MeasurementTVP (142 B),
 * O&M 1.0 om:Observation one swe:values tuple (30 B), om:Measurement one observation element (436 B).
 */
const BYTES_PER_OBSERVATION: Record<XmlEncoding, number> = { om20: 1150, wml2: 160, om10Observation: 40, om10Measurement: 480 };

/** How each XML encoding is named where the limit is advertised. */
export const XML_ENCODING_NAMES: Record<XmlEncoding, string> = {
  om20: FORMAT.om20,
  wml2: FORMAT.wml2,
  om10Observation: 'om:Observation',
  om10Measurement: 'om:Measurement',
};

/** Most observations one document of this encoding may hold so that it stays within SOS_MAX_XML_BYTES. */
export function maxXmlObservations(config: Pick<Config, 'maxXmlBytes'>, enc: XmlEncoding): number {
  return Math.max(1, Math.floor(config.maxXmlBytes / BYTES_PER_OBSERVATION[enc]));
}

/** Refuses an XML document that would exceed SOS_MAX_XML_BYTES (observations counted cheaply, bounded). */
export async function enforceXmlLimit(ctx: OwsContext, sel: SeriesSelection, enc: XmlEncoding): Promise<void> {
  const max = maxXmlObservations(ctx.config, enc);
  const n = await countObservations(ctx.store, sel, max);
  if (n > max) {
    throw new OwsError(
      'ResponseExceedsSizeLimit',
      'GetObservation',
      `The request matches more than ${max} observations, the most one ${XML_ENCODING_NAMES[enc]} document holds within ` +
        `${ctx.config.maxXmlBytes} bytes; narrow it (temporalFilter, offering) or use responseFormat=text/csv or application/json, which stream without limit`,
    );
  }
}

/** Advertises each encoding's limit on a GetObservation ows:Operation (one ows:Constraint per encoding). */
export function xmlLimitConstraints(op: XMLBuilder, config: Pick<Config, 'maxXmlBytes'>, encodings: XmlEncoding[]): void {
  for (const enc of encodings) {
    const c = op.ele('ows:Constraint', { name: `MaxObservations ${XML_ENCODING_NAMES[enc]}` });
    const r = c.ele('ows:AllowedValues').ele('ows:Range');
    r.ele('ows:MinimumValue').txt('0');
    r.ele('ows:MaximumValue').txt(String(maxXmlObservations(config, enc)));
    c.ele('ows:Meaning').txt(`Most observations in one ${XML_ENCODING_NAMES[enc]} response (SOS_MAX_XML_BYTES=${config.maxXmlBytes}); above it ResponseExceedsSizeLimit; text/csv and application/json stream without limit`);
  }
}
