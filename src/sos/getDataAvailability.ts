import type { OwsContext, OwsRequest, OwsResponse } from '../ows/types';
import { xmlResponse } from '../ows/types';
import { Offering } from './catalog';
import { ncnamePart } from './encoders/chunkWriter';
import { JSON_CONTENT_TYPE } from './encoders/sosJson';
import { parseResponseFormat, parseTemporalFilters } from './getObservation';
import { FORMAT, NS } from './ns';
import { rowConditions } from './observationStream';
import { requireVersion, sosParams } from './params';
import { parseOfferingFilter, selectOfferings } from './selection';
import { xmlRoot, xmlString } from './xmlDoc';
import { isoSql } from '../data/sqlTime';
import { SqlParams } from '../query/sqlParams';

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
  const format = parseResponseFormat(p.single('responseFormat'), { [NS.gda]: 'om20', [FORMAT.json]: 'json', json: 'json' }, 'om20');
  const offerings = await selectOfferings(ctx.store, filter);
  const items = await availability(ctx, offerings, time);
  if (format === 'json') {
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

async function availability(ctx: OwsContext, offerings: Offering[], time: ReturnType<typeof parseTemporalFilters>): Promise<Availability[]> {
  if (time.length === 0) {
    return offerings.filter((o) => o.timeStart && o.timeEnd && o.obsCount > 0).map((o) => ({ offering: o, begin: o.timeStart!, end: o.timeEnd!, count: o.obsCount }));
  }
  if (offerings.length === 0) return [];
  const params = new SqlParams();
  const ids = params.add(offerings.map((o) => o.id));
  const cond = rowConditions({ offerings, time }, params);
  const r = await ctx.store.query<{ id: number; b: string; e: string; n: number }>(
    `SELECT o.dataset_id AS id, ${isoSql('min(o.time)')} AS b, ${isoSql('max(o.time)')} AS e, count(*)::int AS n
     FROM observation o WHERE o.dataset_id = ANY(${ids}::int[])${cond} GROUP BY o.dataset_id`,
    params.values,
  );
  const byId = new Map(r.rows.map((x) => [Number(x.id), x]));
  return offerings.filter((o) => byId.has(o.id)).map((o) => {
    const x = byId.get(o.id)!;
    return { offering: o, begin: x.b, end: x.e, count: Number(x.n) };
  });
}
