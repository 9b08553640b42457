import type { Offering } from '../catalog';
import { NIL_CODESPACE, NS, OM_MEASUREMENT, QC_PARAMETER } from '../ns';
import type { SeriesEncoder } from '../observationStream';
import { ChunkWriter, ncnamePart, xmlEscape } from './chunkWriter';
import { EPOCH, TIME_PLAIN, TIME_PLAIN_LENGTH } from './sqlText';

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

/**
 * The constant byte runs of one series' observations, UTF-8 encoded once; a row is
 * A epoch B epoch C epoch D time E epoch D time F qc G value H.
 */
interface SeriesBytes {
  A: Buffer;
  B: Buffer;
  C: Buffer;
  D: Buffer;
  E: Buffer;
  F: Buffer;
  G: Buffer;
  H: Buffer;
  /** Worst-case bytes of one row (constants plus the longest variable parts). */
  rowMax: number;
}

function seriesBytes(ds: Offering, member: string, memberEnd: string): SeriesBytes {
  const idPrefix = `o_${ds.id}_`;
  const parts = {
    A: `${member}<om:OM_Observation gml:id="${idPrefix}`,
    B: `"><gml:identifier codeSpace="${NIL_CODESPACE}">${xmlEscape(ds.code)}/`,
    C: `</gml:identifier><om:type xlink:href="${OM_MEASUREMENT}"/><om:phenomenonTime><gml:TimeInstant gml:id="t${idPrefix}`,
    D: `"><gml:timePosition>`,
    E: `</gml:timePosition></gml:TimeInstant></om:phenomenonTime><om:resultTime><gml:TimeInstant gml:id="r${idPrefix}`,
    // Titles (labels, station names) are left to the capabilities: per observation they only add bytes.
    F:
      `</gml:timePosition></gml:TimeInstant></om:resultTime><om:procedure xlink:href="${xmlEscape(ds.procedure)}"/>` +
      `<om:parameter><om:NamedValue><om:name xlink:href="${QC_PARAMETER}"/><om:value xsi:type="xs:integer">`,
    G:
      `</om:value></om:NamedValue></om:parameter>` +
      `<om:observedProperty xlink:href="${xmlEscape(ds.propertyUri)}"/>` +
      `<om:featureOfInterest xlink:href="${xmlEscape(ds.station)}"/>` +
      `<om:result xsi:type="gml:MeasureType" uom="${xmlEscape(ds.uom)}">`,
    H: `</om:result></om:OM_Observation>${memberEnd}`,
  };
  const bytes = Object.fromEntries(Object.entries(parts).map(([k, v]) => [k, Buffer.from(v, 'utf8')])) as Omit<SeriesBytes, 'rowMax'>;
  const constants = Object.values(bytes).reduce((n, b) => n + b.length, 0) + bytes.D.length;
  // Four epochs, two times, a value and a flag: each well under 40 ASCII characters.
  return { ...bytes, rowMax: constants + 8 * 40 };
}

/**
 * O&M 2.0: one om:OM_Observation (OM_Measurement, gml:MeasureType result) per row, streamed.
 * resultTime is written inline rather than as a reference to phenomenonTime: OWSLib reads the
 * time of a measurement only from om:resultTime/gml:TimeInstant/gml:timePosition.
 */
export class Om20Encoder implements SeriesEncoder {
  // One ASCII text per row, "epoch time value qc" (time as TIME_PLAIN, value NaN when missing): one
  // string for the driver to decode instead of four, copied piecewise into the output bytes.
  readonly columns = `${EPOCH} || ' ' || ${TIME_PLAIN} || ' ' || coalesce(o.value::text, 'NaN') || ' ' || o.qc`;
  private parts: SeriesBytes | undefined;
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
    this.parts = seriesBytes(ds, this.member, this.memberEnd);
  }

  rows(_ds: Offering, rows: unknown[][]): Promise<void> {
    return this.w.rowTexts(rows, this.parts!.rowMax, this.observation);
  }

  /** The same rows, one per line, aggregated by PostgreSQL (a series answer of at most one batch). */
  textSql(): string {
    return `${this.columns} || E'\\n'`;
  }

  text(_ds: Offering, text: string): Promise<void> {
    return this.w.lines(text, this.parts!.rowMax, this.observation);
  }

  /** Writes the observation whose row text is r[a, b) (the caller made room for rowMax bytes). */
  private readonly observation = (r: string, a: number, b: number): void => {
    const p = this.parts!;
    const w = this.w;
    const t = r.indexOf(' ', a);
    const v = t + 1 + TIME_PLAIN_LENGTH;
    const q = r.indexOf(' ', v + 1);
    w.put(p.A);
    w.putAscii(r, a, t);
    w.put(p.B);
    w.putAscii(r, a, t);
    w.put(p.C);
    w.putAscii(r, a, t);
    w.put(p.D);
    w.putIsoTime(r, t + 1);
    w.put(p.E);
    w.putAscii(r, a, t);
    w.put(p.D);
    w.putIsoTime(r, t + 1);
    w.put(p.F);
    w.putAscii(r, q + 1, b);
    w.put(p.G);
    w.putAscii(r, v + 1, q);
    w.put(p.H);
  };

  async seriesEnd(): Promise<void> {}

  /** Closes the root and flushes. */
  async end(): Promise<void> {
    await this.w.write(`</${OM_ROOTS[this.kind].root}>`);
    await this.w.finish();
  }
}

/** gml:id-safe form of an identifier. */
export { ncnamePart };
