import type { OwsContext, OwsRequest, OwsResponse } from '../ows/types';
import { xmlResponse } from '../ows/types';
import type { Offering } from '../catalog/offerings';
import { ncnamePart } from '../xml/ncname';
import { NIL_CODESPACE, SAMPLING_POINT } from '../encoders/series/identifiers';
import { NS, XSD } from '../xml/namespaces';
import { requireVersion, sosParams } from './params';
import { parseOfferingFilter, selectOfferings } from './selection';
import { XMLBuilder, xmlRoot, xmlString } from '../xml/document';
import { crsName, WGS84_SRID } from '../crs/crs';

/** One station as a sams:SF_SpatialSamplingFeature point (lat/lon, EPSG 4326). */
export function samplingFeature(parent: XMLBuilder, o: Offering): void {
  const id = ncnamePart(o.station);
  const f = parent.ele('sams:SF_SpatialSamplingFeature', { 'gml:id': `foi_${id}` });
  f.ele('gml:description').txt(`${o.stationName} (${o.network}${o.depth !== null ? `, ${o.depth} m` : ''})`);
  f.ele('gml:identifier', { codeSpace: NIL_CODESPACE }).txt(o.station);
  f.ele('gml:name').txt(o.stationName);
  f.ele('sf:type', { 'xlink:href': SAMPLING_POINT });
  f.ele('sf:sampledFeature', { 'xlink:href': NIL_CODESPACE, 'xlink:title': 'ocean' });
  f.ele('sams:shape')
    .ele('gml:Point', { 'gml:id': `p_${id}` })
    .ele('gml:pos', { srsName: crsName.uri(WGS84_SRID) })
    .txt(`${o.lat} ${o.lon}`);
}

/** SOS 2.0 GetFeatureOfInterest: stations by id, procedure, observedProperty and/or BBOX; no match → empty response. */
export async function getFeatureOfInterest(req: OwsRequest, ctx: OwsContext): Promise<OwsResponse> {
  requireVersion(req, ['2.0.0']);
  const p = sosParams(req);
  const filter = parseOfferingFilter(p, ['featureOfInterest', 'procedure', 'observedProperty', 'offering']);
  const offerings = await selectOfferings(ctx.store, filter);
  const root = xmlRoot('sos:GetFeatureOfInterestResponse', ['gml', 'xlink', 'xsi', 'sams', 'sf'], {
    'xsi:schemaLocation': `${NS.sos} ${XSD.sosGetFeatureOfInterest} ${NS.sams} ${XSD.sams20}`,
  });
  const seen = new Set<string>();
  for (const o of offerings) {
    if (seen.has(o.station)) continue;
    seen.add(o.station);
    samplingFeature(root.ele('sos:featureMember'), o);
  }
  return xmlResponse(xmlString(root));
}
