import { invalidParam, missingParam } from '../../ows/errors';
import type { XmlElement } from '../../http/xml';
import type { OwsContext, OwsRequest, OwsResponse } from '../../ows/types';
import { seriesFormat10 } from '../formats';
import { seriesResponse } from '../seriesResponse';
import { xmlRowLimit } from '../xmlLimit';
import { loadOfferings } from '../../query/catalogue';
import { resolveOfferings } from './offeringIds';
import { optionalList, sosParams } from '../params';
import { parseQualityFlags, selectOfferings } from '../selection';
import { parseEventTime, parseXmlTemporalFilter } from '../temporal';
import type { TimeFilter } from '../../query/types';

/** Station codes of a POST's sos:featureOfInterest/sos:ObjectID elements (undefined when absent). */
function xmlFeatureIds(root: XmlElement): string[] | undefined {
  const fois = root.children.filter((c) => c.local === 'featureOfInterest');
  if (fois.length === 0) return undefined;
  const ids = fois.flatMap((f) => f.children.filter((c) => c.local === 'ObjectID').map((c) => c.text.trim()));
  // SOS 1.0 also allows a spatial ogc filter here; BBOX selection is offered by SOS 2.0's spatialFilter.
  if (ids.length === 0 || ids.some((id) => id === '')) throw invalidParam('featureOfInterest', 'Only sos:ObjectID identifiers are supported in featureOfInterest (use SOS 2.0 spatialFilter for a BBOX)');
  return ids;
}

/**
 * SOS 1.0.0 GetObservation: offering and observedProperty required, eventTime (instant or
 * period), resultModel om:Observation (swe:DataArray per series, default) or om:Measurement.
 */
export async function getObservation10(req: OwsRequest, ctx: OwsContext): Promise<OwsResponse> {
  const p = sosParams(req);
  const offering = optionalList(p, 'offering');
  if (!offering) throw missingParam('offering');
  const observedProperty = optionalList(p, 'observedProperty');
  if (!observedProperty) throw missingParam('observedProperty');
  const procedure = optionalList(p, 'procedure');
  const featureOfInterest = p.xml ? xmlFeatureIds(p.xml) : optionalList(p, 'featureOfInterest');
  const format = seriesFormat10(p.single('responseFormat'), p.single('resultModel'));
  const time: TimeFilter[] = [];
  if (p.xml) {
    for (const et of p.xml.children.filter((c) => c.local === 'eventTime')) time.push(parseXmlTemporalFilter(et, 'eventTime'));
  } else {
    const raw = p.single('eventTime');
    if (raw !== undefined) {
      if (raw.trim() === '') throw missingParam('eventTime', 'Parameter eventTime is empty');
      time.push(parseEventTime(raw));
    }
  }
  const catalog = await loadOfferings(ctx.store);
  // Clients such as OWSLib name an offering by the gml:id of the capabilities: map it to its code.
  const offerings = await selectOfferings(ctx.store, { offering: resolveOfferings(catalog, offering), observedProperty, procedure, featureOfInterest }, catalog);
  const sel = { offerings, time, qc: parseQualityFlags(p) };
  return seriesResponse(ctx, sel, format.contentType, (w) => format.encoder(w, {}), undefined, xmlRowLimit(ctx.config, format));
}
