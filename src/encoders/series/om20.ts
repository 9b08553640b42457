import type { Offering } from '../../catalog/offerings';
import { NIL_CODESPACE, OM_MEASUREMENT, QC_PARAMETER } from './identifiers';
import { NS, NsKey, XSD, xmlnsText } from '../../xml/namespaces';
import type { TextSeriesEncoder } from '../../query/observations';
import { ChunkWriter } from '../chunkWriter';
import { escAttr } from '../../xml/escape';
import { ISO_TIME_BYTES, IsoTimeWriter } from './isoTime';
import { MAX_EPOCH_DIGITS, stampEnd } from './epochRow';
import { EPOCH_QC_VALUE, MAX_VALUE_CHARS } from './sqlText';
import { putDouble } from './xsDouble';

/** Content type of every XML response. */
export const XML_CONTENT_TYPE = 'application/xml; charset=utf-8';

/** The two SOS 2.0 documents that carry O&M observations. */
export const OM_ROOTS = {
  GetObservation: { root: 'sos:GetObservationResponse', member: 'sos:observationData', xsd: XSD.sosGetObservation },
  GetObservationById: { root: 'sos:GetObservationByIdResponse', member: 'sos:observation', xsd: XSD.sosGetObservationById },
} as const;

/** Root start tag of a SOS 2.0 observation response, declaring every namespace the members use. */
export function omRootStart(kind: keyof typeof OM_ROOTS, extraNs: NsKey[] = []): string {
  const r = OM_ROOTS[kind];
  return (
    `<?xml version="1.0" encoding="UTF-8"?>\n<${r.root}${xmlnsText(['sos', 'om', 'gml', 'xlink', 'xsi', 'xs', ...extraNs])}` +
    ` xsi:schemaLocation="${NS.sos} ${r.xsd} ${NS.om} ${XSD.om20}">`
  );
}

const MINUS = 45;

/** Bytes of a value written for a missing one (xs:double's NaN). */
const NAN = Buffer.from('NaN');

/**
 * One observation's bytes up to its value, for epochs of one text length: copied whole per row, then
 * the few variable bytes (four epochs, two times, the flag) are filled in at known offsets. `joined` is
 * the row before's tail then this head: every row but the first is one copy instead of two.
 */
interface RowTemplate {
  head: Buffer;
  joined: Buffer;
  epoch0: number;
  epoch1: number;
  epoch2: number;
  epoch3: number;
  time0: number;
  time1: number;
  qc: number;
}

/** The constant text of one series' observations: a row is A epoch B epoch C epoch D time E epoch D time F qc G value H. */
function seriesParts(ds: Offering, member: string, memberEnd: string) {
  const idPrefix = `o_${ds.id}_`;
  return {
    A: `${member}<om:OM_Observation gml:id="${idPrefix}`,
    B: `"><gml:identifier codeSpace="${NIL_CODESPACE}">${escAttr(ds.code)}/`,
    C: `</gml:identifier><om:type xlink:href="${OM_MEASUREMENT}"/><om:phenomenonTime><gml:TimeInstant gml:id="t${idPrefix}`,
    D: `"><gml:timePosition>`,
    E: `</gml:timePosition></gml:TimeInstant></om:phenomenonTime><om:resultTime><gml:TimeInstant gml:id="r${idPrefix}`,
    // Titles (labels, station names) are left to the capabilities: per observation they only add bytes.
    F:
      `</gml:timePosition></gml:TimeInstant></om:resultTime><om:procedure xlink:href="${escAttr(ds.procedure)}"/>` +
      `<om:parameter><om:NamedValue><om:name xlink:href="${QC_PARAMETER}"/><om:value xsi:type="xs:integer">`,
    G:
      `</om:value></om:NamedValue></om:parameter>` +
      `<om:observedProperty xlink:href="${escAttr(ds.propertyUri)}"/>` +
      `<om:featureOfInterest xlink:href="${escAttr(ds.station)}"/>` +
      `<om:result xsi:type="gml:MeasureType" uom="${escAttr(ds.uom)}">`,
    H: `</om:result></om:OM_Observation>${memberEnd}`,
  };
}

type SeriesParts = ReturnType<typeof seriesParts>;

/** Lays out the row template for epochs written with `digits` characters. */
function rowTemplate(p: SeriesParts, digits: number): RowTemplate {
  const runs: Buffer[] = [];
  const at: number[] = [];
  let n = 0;
  const text = (s: string) => {
    const b = Buffer.from(s, 'utf8');
    runs.push(b);
    n += b.length;
  };
  const slot = (len: number) => {
    at.push(n);
    runs.push(Buffer.alloc(len, 0x30));
    n += len;
  };
  text(p.A), slot(digits), text(p.B), slot(digits), text(p.C), slot(digits), text(p.D), slot(ISO_TIME_BYTES);
  text(p.E), slot(digits), text(p.D), slot(ISO_TIME_BYTES), text(p.F), slot(1), text(p.G);
  const [epoch0, epoch1, epoch2, time0, epoch3, time1, qc] = at;
  const head = Buffer.concat(runs, n);
  return { head, joined: Buffer.concat([Buffer.from(p.H, 'utf8'), head]), epoch0, epoch1, epoch2, epoch3, time0, time1, qc };
}

/** Everything one series' observations share, laid out once per offering and document kind. */
interface SeriesLayout {
  parts: SeriesParts;
  /** Row templates by epoch text length (in practice one: ten digits). */
  templates: RowTemplate[];
  tail: Buffer;
  /** Most bytes one observation can take. */
  rowMax: number;
}

// Offerings are reloaded with the catalog (every few seconds), which retires their layouts with them.
const layouts = new WeakMap<Offering, Partial<Record<keyof typeof OM_ROOTS, SeriesLayout>>>();

function seriesLayout(ds: Offering, kind: keyof typeof OM_ROOTS): SeriesLayout {
  let byKind = layouts.get(ds);
  if (!byKind) layouts.set(ds, (byKind = {}));
  let l = byKind[kind];
  if (!l) {
    const member = OM_ROOTS[kind].member;
    const parts = seriesParts(ds, `<${member}>`, `</${member}>`);
    const tail = Buffer.from(parts.H, 'utf8');
    l = { parts, templates: [], tail, rowMax: rowTemplate(parts, MAX_EPOCH_DIGITS).head.length + MAX_VALUE_CHARS + tail.length };
    byKind[kind] = l;
  }
  return l;
}

/**
 * O&M 2.0: one om:OM_Observation (OM_Measurement, gml:MeasureType result) per row, streamed.
 * resultTime is written inline rather than as a reference to phenomenonTime: OWSLib reads the
 * time of a measurement only from om:resultTime/gml:TimeInstant/gml:timePosition.
 */
export class Om20Encoder implements TextSeriesEncoder {
  // One ASCII text per row, "stamp value" (the stamp is epoch * 10 + qc; no value when missing):
  // PostgreSQL formats an integer and a float, the cheapest text it can give; the time is written from
  // the epoch (IsoTimeWriter).
  readonly textSql = EPOCH_QC_VALUE;
  readonly textSeparator = '\n';
  private layout: SeriesLayout | undefined;
  private readonly iso = new IsoTimeWriter();
  /** The last observation's tail is not written yet: it goes out with the next row's head, or at the series' end. */
  private tailOwed = false;
  /** Length of the last row's stamp. */
  private stampChars = 0;

  constructor(
    private readonly w: ChunkWriter,
    private readonly kind: keyof typeof OM_ROOTS = 'GetObservation',
  ) {}

  /** Writes the root start tag. */
  begin(): Promise<void> {
    return this.w.write(omRootStart(this.kind));
  }

  async seriesStart(ds: Offering): Promise<void> {
    this.layout = seriesLayout(ds, this.kind);
  }

  /** Observations whose row texts are the lines of `text`. */
  text(_ds: Offering, text: string): Promise<void> {
    return this.w.lines(text, this.layout!.rowMax, this.observation);
  }

  /** Writes the observation whose row text is r[a, b) (the caller made room for rowMax bytes). */
  private readonly observation = (r: string, a: number, b: number): void => {
    const end = stampEnd(r, a, b, this.stampChars);
    this.stampChars = end - a;
    // The stamp is epoch * 10 + qc: when it is positive and has two digits or more, the epoch's digits
    // are the stamp's but its last, copied as they are. Before 1970, or in its first ten seconds, the
    // epoch is written out (floored: -5 s with flag 3 is the stamp -47).
    let e = r;
    let from = a;
    let digits = end - 1 - a;
    let qcChar = r.charCodeAt(end - 1);
    if (digits < 1 || r.charCodeAt(a) === MINUS) {
      const n = Number(r.slice(a, end));
      if (!Number.isSafeInteger(n)) throw new Error(`unexpected observation row "${r.slice(a, b)}"`);
      const epoch = Math.floor(n / 10);
      e = String(epoch);
      from = 0;
      digits = e.length;
      qcChar = 48 + n - epoch * 10;
    }
    const w = this.w;
    const l = this.layout!;
    const t = (l.templates[digits] ??= rowTemplate(l.parts, digits));
    const owed = this.tailOwed;
    const start = w.claim(owed ? t.joined.length : t.head.length);
    const buf = w.bytes;
    buf.set(owed ? t.joined : t.head, start);
    const o = owed ? start + l.tail.length : start;
    let sec = 0;
    let neg = false;
    const e0 = o + t.epoch0;
    const e1 = o + t.epoch1;
    const e2 = o + t.epoch2;
    const e3 = o + t.epoch3;
    for (let i = 0; i < digits; i++) {
      const c = e.charCodeAt(from + i);
      buf[e0 + i] = c;
      buf[e1 + i] = c;
      buf[e2 + i] = c;
      buf[e3 + i] = c;
      if (c === MINUS) neg = true;
      else sec = sec * 10 + (c - 48);
    }
    this.iso.writeTwice(buf, o + t.time0, o + t.time1, neg ? -sec : sec);
    buf[o + t.qc] = qcChar;
    if (end < b) putDouble(w, r, end + 1, b);
    else w.put(NAN);
    this.tailOwed = true;
  };

  /** Writes the last observation's tail. */
  async seriesEnd(): Promise<void> {
    if (!this.tailOwed) return;
    this.tailOwed = false;
    await this.w.write(this.layout!.parts.H);
  }

  /** Closes the root and flushes. */
  async end(): Promise<void> {
    await this.w.write(`</${OM_ROOTS[this.kind].root}>`);
    await this.w.finish();
  }
}
