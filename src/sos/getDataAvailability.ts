import type { OwsContext, OwsRequest, OwsResponse } from '../ows/types';
import { xmlResponse } from '../ows/types';
import type { Offering } from '../catalog/offerings';
import { ncnamePart } from '../xml/ncname';
import { JSON_CONTENT_TYPE } from '../encoders/series/json';
import { DATA_AVAILABILITY_FORMATS, pickFormat } from './formats';
import { parseTemporalFilters } from './temporal';
import { availability } from '../query/observations';
import { requireVersion, sosParams } from './params';
import { parseOfferingFilter, selectOfferings } from './selection';
import { xmlRoot, xmlString } from '../xml/document';

/** Availability of one series: who/what/where, its phenomenon time extent and observation count. */
export interface Availability {
  offering: Offering;
  begin: string;
  end: string;
  count: number;
}

/**
 * GetDataAvailability (52°North extension, no official schema): per offering (= procedure x
 * observedProperty x featureOfInterest) the phenomenon time extent and the count, optionally
 * restricted by a temporalFilter; series without data in the window are left out.
 */
export async function getDataAvailability(req: OwsRequest, ctx: OwsContext): Promise<OwsResponse> {
  requireVersion(req, ['2.0.0']);
  const p = sosParams(req);
  const filter = parseOfferingFilter(p);
  const time = parseTemporalFilters(p).filter((f) => f.op !== 'latest' && f.op !== 'first');
  const format = pickFormat(p.single('responseFormat'), DATA_AVAILABILITY_FORMATS, DATA_AVAILABILITY_FORMATS[0]);
  const offerings = await selectOfferings(ctx.store, filter);
  const items = await availabilityOf(ctx, offerings, time);
  if (format.json) {
    const body = JSON.stringify({
      dataAvailability: items.map((a) => ({
        offering: a.offering.code,
        procedure: a.offering.procedure,
        observedProperty: a.offering.propertyUri,
        featureOfInterest: a.offering.station,
        phenomenonTime: [a.begin, a.end],
        count: a.count,
      })),
    });
    return { kind: 'body', contentType: JSON_CONTENT_TYPE, body };
  }
  const root = xmlRoot('gda:GetDataAvailabilityResponse', ['gml', 'xlink', 'xsi']);
  for (const a of items) {
    const o = a.offering;
    const m = root.ele('gda:dataAvailabilityMember', { 'gml:id': `dam_${ncnamePart(o.code)}` });
    m.ele('gda:procedure', { 'xlink:href': o.procedure, 'xlink:title': `${o.family} at ${o.stationName}` });
    m.ele('gda:observedProperty', { 'xlink:href': o.propertyUri, 'xlink:title': o.label });
    m.ele('gda:featureOfInterest', { 'xlink:href': o.station, 'xlink:title': o.stationName });
    const tp = m.ele('gda:phenomenonTime').ele('gml:TimePeriod', { 'gml:id': `tp_${ncnamePart(o.code)}` });
    tp.ele('gml:beginPosition').txt(a.begin);
    tp.ele('gml:endPosition').txt(a.end);
    m.ele('gda:count').txt(String(a.count));
    m.ele('gda:offering', { 'xlink:href': o.code });
  }
  return xmlResponse(xmlString(root));
}

async function availabilityOf(ctx: OwsContext, offerings: Offering[], time: ReturnType<typeof parseTemporalFilters>): Promise<Availability[]> {
  if (time.length === 0) {
    return offerings.filter((o) => o.timeStart && o.timeEnd && o.obsCount > 0).map((o) => ({ offering: o, begin: o.timeStart!, end: o.timeEnd!, count: o.obsCount }));
  }
  const found = await availability(ctx.store, offerings, time);
  return offerings.flatMap((o) => {
    const x = found.get(o.id);
    return x ? [{ offering: o, ...x }] : [];
  });
}
