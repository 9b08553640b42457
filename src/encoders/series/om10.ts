import type { Offering } from '../../catalog/offerings';
import { QC_PARAMETER } from './identifiers';
import { NS, XSD, xmlnsText } from '../../xml/namespaces';
import type { RowSeriesEncoder, SeriesExtent, TextSeriesEncoder } from '../../query/observations';
import { ChunkWriter } from '../chunkWriter';
import { ncnamePart } from '../../xml/ncname';
import { escAttr } from '../../xml/escape';
import { EPOCH, EPOCH_QC_VALUE, TIME_TEXT, VALUE_TEXT } from './sqlText';
import { EpochRowReader, TIME_VALUE_QC_MAX } from './epochRow';
import { crsName, WGS84_SRID } from '../../crs/crs';

/** SOS 1.0 observation collection start tag. */
function collectionStart(): string {
  return (
    `<?xml version="1.0" encoding="UTF-8"?>\n<om:ObservationCollection${xmlnsText(['om10', 'gml311', 'swe101', 'sa', 'xlink', 'xsi'])} gml:id="observations"` +
    ` xsi:schemaLocation="${NS.om10} ${XSD.om100}">`
  );
}

const WGS84_URN = crsName.urn(WGS84_SRID);

function samplingPoint(ds: Offering): string {
  return (
    `<sa:SamplingPoint gml:id="foi_${ncnamePart(ds.station)}_${ds.id}"><gml:name>${escAttr(ds.station)}</gml:name><sa:sampledFeature xlink:href=""/>` +
    `<sa:position><gml:Point><gml:pos srsName="${WGS84_URN}">${ds.lat} ${ds.lon}</gml:pos></gml:Point></sa:position></sa:SamplingPoint>`
  );
}

/** SOS 1.0 resultModel om:Observation: one om:Observation per series with a swe:DataArray (time,value,qc;...). */
export class Om10ObservationEncoder implements TextSeriesEncoder {
  readonly textSql = EPOCH_QC_VALUE;
  readonly textSeparator = '\n';
  readonly needsExtent = true;
  readonly needsCount = true;
  private first = true;
  private readonly row = new EpochRowReader();

  constructor(private readonly w: ChunkWriter) {}

  /** Writes the collection start. */
  begin(): Promise<void> {
    return this.w.write(collectionStart());
  }

  /** A `time,value,qc` block per row text, after the block separator. */
  text(_ds: Offering, text: string): Promise<void> {
    return this.w.lines(text, TIME_VALUE_QC_MAX + 1, this.block);
  }

  private readonly block = (s: string, a: number, b: number): void => {
    const { w, row } = this;
    row.read(s, a, b);
    if (!this.first) w.bytes[w.claim(1)] = 59; // ;
    this.first = false;
    row.putTimeValueQc(w);
  };

  async seriesStart(ds: Offering, e: SeriesExtent | undefined): Promise<void> {
    const x = e!;
    this.first = true;
    await this.w.write(
      `<om:member><om:Observation gml:id="obs_${ds.id}"><gml:name>${escAttr(ds.code)}</gml:name>` +
        `<om:samplingTime><gml:TimePeriod><gml:beginPosition>${x.begin}</gml:beginPosition><gml:endPosition>${x.end}</gml:endPosition></gml:TimePeriod></om:samplingTime>` +
        `<om:procedure xlink:href="${escAttr(ds.procedure)}"/>` +
        `<om:observedProperty><swe:CompositePhenomenon gml:id="cp_${ds.id}" dimension="3"><gml:name>${escAttr(ds.label)}</gml:name>` +
        `<swe:component xlink:href="urn:ogc:data:time:iso8601"/><swe:component xlink:href="${escAttr(ds.propertyUri)}"/><swe:component xlink:href="${QC_PARAMETER}"/></swe:CompositePhenomenon></om:observedProperty>` +
        `<om:featureOfInterest>${samplingPoint(ds)}</om:featureOfInterest>` +
        `<om:result><swe:DataArray><swe:elementCount><swe:Count><swe:value>${x.count ?? 0}</swe:value></swe:Count></swe:elementCount>` +
        `<swe:elementType name="Components"><swe:DataRecord><swe:field name="time"><swe:Time definition="urn:ogc:data:time:iso8601"/></swe:field>` +
        `<swe:field name="${escAttr(ncnamePart(ds.propertyCode))}"><swe:Quantity definition="${escAttr(ds.propertyUri)}"><swe:uom code="${escAttr(ds.uom)}"/></swe:Quantity></swe:field>` +
        `<swe:field name="qc"><swe:Count definition="${QC_PARAMETER}"/></swe:field></swe:DataRecord></swe:elementType>` +
        `<swe:encoding><swe:TextBlock decimalSeparator="." tokenSeparator="," blockSeparator=";"/></swe:encoding><swe:values>`,
    );
  }

  seriesEnd(): Promise<void> {
    return this.w.write('</swe:values></swe:DataArray></om:result></om:Observation></om:member>');
  }

  /** Closes the collection and flushes. */
  async end(): Promise<void> {
    await this.w.write('</om:ObservationCollection>');
    await this.w.finish();
  }
}

/** SOS 1.0 resultModel om:Measurement: one om:Measurement per row. */
export class Om10MeasurementEncoder implements RowSeriesEncoder {
  readonly columns = `${EPOCH}, ${TIME_TEXT}, ${VALUE_TEXT}`;
  private head = '';
  private tail = '';
  private idPrefix = '';

  constructor(private readonly w: ChunkWriter) {}

  /** Writes the collection start. */
  begin(): Promise<void> {
    return this.w.write(collectionStart());
  }

  async seriesStart(ds: Offering): Promise<void> {
    this.idPrefix = `m_${ds.id}_`;
    this.head = `<om:procedure xlink:href="${escAttr(ds.procedure)}"/><om:observedProperty xlink:href="${escAttr(ds.propertyUri)}"/>` + `<om:featureOfInterest xlink:href="${escAttr(ds.station)}"/>`;
    this.tail = `<om:result uom="${escAttr(ds.uom)}">`;
  }

  async rows(_ds: Offering, rows: unknown[][]): Promise<void> {
    let s = '';
    for (const r of rows) {
      s +=
        `<om:member><om:Measurement gml:id="${this.idPrefix}${r[0]}"><om:samplingTime><gml:TimeInstant><gml:timePosition>${r[1]}</gml:timePosition></gml:TimeInstant></om:samplingTime>` +
        `${this.head}${this.tail}${r[2] === '' ? 'NaN' : r[2]}</om:result></om:Measurement></om:member>`;
    }
    await this.w.write(s);
  }

  async seriesEnd(): Promise<void> {}

  /** Closes the collection and flushes. */
  async end(): Promise<void> {
    await this.w.write('</om:ObservationCollection>');
    await this.w.finish();
  }
}
