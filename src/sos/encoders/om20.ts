import type { Offering } from '../catalog';
import { NIL_CODESPACE, NS, OM_MEASUREMENT, QC_PARAMETER } from '../ns';
import type { SeriesEncoder } from '../observationStream';
import { ChunkWriter, ncnamePart, xmlEscape } from './chunkWriter';
import { EPOCH, TIME_TEXT, VALUE_TEXT } from './sqlText';

/** Content type of every XML response. */
export const XML_CONTENT_TYPE = 'application/xml; charset=utf-8';

/** Stable public identifier of one observation: `<offering>/<epoch seconds>` (GetObservationById). */
export function observationId(offering: string, epochSeconds: number): string {
  return `${offering}/${epochSeconds}`;
}

/** The two SOS 2.0 documents that carry O&M observations. */
export const OM_ROOTS = {
  GetObservation: { root: 'sos:GetObservationResponse', member: 'sos:observationData', xsd: 'sosGetObservation.xsd' },
  GetObservationById: { root: 'sos:GetObservationByIdResponse', member: 'sos:observation', xsd: 'sosGetObservationById.xsd' },
} as const;

/** Root start tag of a SOS 2.0 observation response, declaring every namespace the members use. */
export function omRootStart(kind: keyof typeof OM_ROOTS, extraNs = ''): string {
  const r = OM_ROOTS[kind];
  return (
    `<?xml version="1.0" encoding="UTF-8"?>\n<${r.root} xmlns:sos="${NS.sos}" xmlns:om="${NS.om}" xmlns:gml="${NS.gml}"` +
    ` xmlns:xlink="${NS.xlink}" xmlns:xsi="${NS.xsi}" xmlns:xs="${NS.xs}"${extraNs}` +
    ` xsi:schemaLocation="${NS.sos} http://schemas.opengis.net/sos/2.0/${r.xsd} ${NS.om} http://schemas.opengis.net/om/2.0/observation.xsd">`
  );
}

/** Per-series constant parts of each observation, escaped once. */
interface SeriesParts {
  idPrefix: string;
  identifierPrefix: string;
  middle: string;
  resultOpen: string;
}

function seriesParts(ds: Offering): SeriesParts {
  return {
    idPrefix: `o_${ds.id}_`,
    identifierPrefix: xmlEscape(ds.code) + '/',
    // Titles (labels, station names) are left to the capabilities: per observation they only add bytes.
    middle: `<om:procedure xlink:href="${xmlEscape(ds.procedure)}"/><om:parameter><om:NamedValue><om:name xlink:href="${QC_PARAMETER}"/><om:value xsi:type="xs:integer">`,
    resultOpen:
      `</om:value></om:NamedValue></om:parameter>` +
      `<om:observedProperty xlink:href="${xmlEscape(ds.propertyUri)}"/>` +
      `<om:featureOfInterest xlink:href="${xmlEscape(ds.station)}"/>` +
      `<om:result xsi:type="gml:MeasureType" uom="${xmlEscape(ds.uom)}">`,
  };
}

/**
 * O&M 2.0: one om:OM_Observation (OM_Measurement, gml:MeasureType result) per row, streamed.
 * resultTime is written inline rather than as a reference to phenomenonTime: OWSLib reads the
 * time of a measurement only from om:resultTime/gml:TimeInstant/gml:timePosition.
 */
export class Om20Encoder implements SeriesEncoder {
  readonly columns = `${EPOCH}, ${TIME_TEXT}, ${VALUE_TEXT}, o.qc`;
  private parts: SeriesParts | undefined;
  private readonly member: string;
  private readonly memberEnd: string;

  constructor(
    private readonly w: ChunkWriter,
    private readonly kind: keyof typeof OM_ROOTS = 'GetObservation',
  ) {
    this.member = `<${OM_ROOTS[kind].member}>`;
    this.memberEnd = `</${OM_ROOTS[kind].member}>`;
  }

  /** Writes the root start tag. */
  begin(): Promise<void> {
    return this.w.write(omRootStart(this.kind));
  }

  async seriesStart(ds: Offering): Promise<void> {
    this.parts = seriesParts(ds);
  }

  async rows(_ds: Offering, rows: unknown[][]): Promise<void> {
    const p = this.parts!;
    let s = '';
    for (const r of rows) {
      const epoch = r[0] as number;
      const id = p.idPrefix + epoch;
      s +=
        `${this.member}<om:OM_Observation gml:id="${id}"><gml:identifier codeSpace="${NIL_CODESPACE}">${p.identifierPrefix}${epoch}</gml:identifier>` +
        `<om:type xlink:href="${OM_MEASUREMENT}"/><om:phenomenonTime><gml:TimeInstant gml:id="t${id}"><gml:timePosition>${r[1]}</gml:timePosition></gml:TimeInstant></om:phenomenonTime>` +
        `<om:resultTime><gml:TimeInstant gml:id="r${id}"><gml:timePosition>${r[1]}</gml:timePosition></gml:TimeInstant></om:resultTime>${p.middle}${r[3]}${p.resultOpen}${r[2] === '' ? 'NaN' : r[2]}</om:result></om:OM_Observation>${this.memberEnd}`;
    }
    await this.w.write(s);
  }

  async seriesEnd(): Promise<void> {}

  /** Closes the root and flushes. */
  async end(): Promise<void> {
    await this.w.write(`</${OM_ROOTS[this.kind].root}>`);
    await this.w.flush();
  }
}

/** gml:id-safe form of an identifier. */
export { ncnamePart };
