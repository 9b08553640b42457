import type { Offering } from '../../catalog/offerings';
import { WML2_TVP_OBSERVATION } from './identifiers';
import type { SeriesExtent, TextSeriesEncoder } from '../../query/observations';
import { ChunkWriter } from '../chunkWriter';
import { escAttr } from '../../xml/escape';
import { omRootStart } from './om20';
import { EpochRowReader } from './epochRow';
import { ISO_TIME_BYTES } from './isoTime';
import { EPOCH_QC_VALUE, MAX_VALUE_CHARS } from './sqlText';

const POINT_OPEN = Buffer.from('<wml2:point><wml2:MeasurementTVP><wml2:time>');
const NIL_VALUE = Buffer.from('</wml2:time><wml2:value xsi:nil="true"/></wml2:MeasurementTVP></wml2:point>');
const VALUE_OPEN = Buffer.from('</wml2:time><wml2:value>');
const VALUE_CLOSE = Buffer.from('</wml2:value></wml2:MeasurementTVP></wml2:point>');
/** Most bytes one point takes. */
const POINT_MAX = POINT_OPEN.length + ISO_TIME_BYTES + Math.max(NIL_VALUE.length, VALUE_OPEN.length + MAX_VALUE_CHARS + VALUE_CLOSE.length);
const INTERPOLATION = 'http://www.opengis.net/def/waterml/2.0/interpolationType/Continuous';

/**
 * WaterML 2.0: one om:OM_Observation per series whose result is a wml2:MeasurementTimeseries
 * (default point metadata with the unit, then time-value pairs). Missing values are xsi:nil.
 */
export class Wml2Encoder implements TextSeriesEncoder {
  readonly textSql = EPOCH_QC_VALUE;
  readonly textSeparator = '\n';
  readonly needsExtent = true;
  private readonly row = new EpochRowReader();

  constructor(private readonly w: ChunkWriter) {}

  /** Writes the root start tag (with the wml2 namespace). */
  begin(): Promise<void> {
    return this.w.write(omRootStart('GetObservation', ['wml2']));
  }

  async seriesStart(ds: Offering, extent: SeriesExtent | undefined): Promise<void> {
    const e = extent!;
    await this.w.write(
      `<sos:observationData><om:OM_Observation gml:id="ts_${ds.id}"><om:type xlink:href="${WML2_TVP_OBSERVATION}"/>` +
        `<om:phenomenonTime><gml:TimePeriod gml:id="tp_${ds.id}"><gml:beginPosition>${e.begin}</gml:beginPosition><gml:endPosition>${e.end}</gml:endPosition></gml:TimePeriod></om:phenomenonTime>` +
        `<om:resultTime><gml:TimeInstant gml:id="rt_${ds.id}"><gml:timePosition>${e.end}</gml:timePosition></gml:TimeInstant></om:resultTime>` +
        `<om:procedure xlink:href="${escAttr(ds.procedure)}"/>` +
        `<om:observedProperty xlink:href="${escAttr(ds.propertyUri)}" xlink:title="${escAttr(ds.label)}"/>` +
        `<om:featureOfInterest xlink:href="${escAttr(ds.station)}" xlink:title="${escAttr(ds.stationName)}"/>` +
        `<om:result><wml2:MeasurementTimeseries gml:id="mts_${ds.id}"><wml2:defaultPointMetadata><wml2:DefaultTVPMeasurementMetadata>` +
        `<wml2:uom code="${escAttr(ds.uom)}"/><wml2:interpolationType xlink:href="${INTERPOLATION}" xlink:title="Instantaneous"/>` +
        `</wml2:DefaultTVPMeasurementMetadata></wml2:defaultPointMetadata>`,
    );
  }

  text(_ds: Offering, text: string): Promise<void> {
    return this.w.lines(text, POINT_MAX, this.point);
  }

  /** Writes the point whose row text is r[a, b) (the caller made room). */
  private readonly point = (r: string, a: number, b: number): void => {
    const { w, row } = this;
    row.read(r, a, b);
    w.put(POINT_OPEN);
    row.putTime(w);
    if (!row.hasValue) w.put(NIL_VALUE);
    else {
      w.put(VALUE_OPEN);
      row.putXsDouble(w);
      w.put(VALUE_CLOSE);
    }
  };

  seriesEnd(): Promise<void> {
    return this.w.write('</wml2:MeasurementTimeseries></om:result></om:OM_Observation></sos:observationData>');
  }

  /** Closes the root and flushes. */
  async end(): Promise<void> {
    await this.w.write('</sos:GetObservationResponse>');
    await this.w.finish();
  }
}
