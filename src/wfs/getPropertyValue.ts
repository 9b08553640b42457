import type { CollectionInfo, FeatureEncoder, FeatureRow } from '../encoders/features/featureEncoder';
import { propertyText, withSrsName } from '../encoders/features/featureEncoder';
import { WFS20_ROOT_NS } from '../encoders/features/gml32';
import { NS, XSD } from '../xml/namespaces';
import { escAttr, escText } from '../xml/escape';
import { resolveValueReference } from '../fes/compile';
import { invalidParam, missingParam } from '../ows/errors';
import type { OwsContext, OwsRequest, OwsResponse } from '../ows/types';
import { featureCollection } from './featureCollection';
import { parseGetFeature } from './getFeatureRequest';

/** What the members of a ValueCollection hold. */
type ValueKind = 'id' | 'geometry' | 'property';

/** wfs:ValueCollection: one wfs:member per feature holding the referenced value (text, or a GML geometry). */
function valueCollectionEncoder(kind: ValueKind): FeatureEncoder {
  return {
    contentType: 'application/gml+xml; version=3.2; charset=utf-8',
    geometryEncoding: 'gml32',
    begin(info: CollectionInfo) {
      const links = (info.next ? ` next="${escAttr(info.next)}"` : '') + (info.previous ? ` previous="${escAttr(info.previous)}"` : '');
      return (
        `<?xml version="1.0" encoding="UTF-8"?>\n<wfs:ValueCollection${WFS20_ROOT_NS}` +
        ` xmlns:${info.prefix}="${escAttr(info.namespaceUri)}" timeStamp="${info.timeStamp}" numberMatched="${info.numberMatched}" numberReturned="${info.numberReturned}"${links}` +
        ` xsi:schemaLocation="${NS.wfs} ${XSD.wfs20}">`
      );
    },
    feature(row: FeatureRow, info: CollectionInfo) {
      let v = '';
      if (kind === 'id') v = escText(`${info.type.name}.${row[0]}`);
      else if (kind === 'geometry') v = row[1] ? withSrsName(row[1], escAttr(info.srsName)) : '';
      else if (row[2] !== null && row[2] !== undefined) v = escText(propertyText(info.properties[0], row[2], info.baseUrl));
      return `<wfs:member>${v}</wfs:member>`;
    },
    end: () => '</wfs:ValueCollection>\n',
  };
}

/** WFS 2.0 GetPropertyValue: the GetFeature query parameters plus VALUEREFERENCE. */
export async function getPropertyValue(req: OwsRequest, ctx: OwsContext): Promise<OwsResponse> {
  const ref = req.xml ? req.xml.attrs.valueReference : req.kvp.get('valuereference');
  if (ref === undefined) throw missingParam('valueReference', 'GetPropertyValue needs VALUEREFERENCE');
  if (ref.trim() === '') throw invalidParam('valueReference', 'VALUEREFERENCE is empty');
  const parsed = parseGetFeature(req, ctx.config, { storedQueries: false });
  const q = parsed.query;
  const resolved = resolveValueReference(q.type, ref, 'valueReference');
  let kind: ValueKind;
  if (resolved.kind === 'id') {
    kind = 'id';
    q.properties = [];
    q.includeGeometry = false;
  } else if (resolved.kind === 'geometry') {
    kind = 'geometry';
    q.properties = [];
    q.includeGeometry = true;
  } else {
    kind = 'property';
    q.properties = [resolved.def];
    q.includeGeometry = false;
  }
  return featureCollection(parsed, valueCollectionEncoder(kind), req, ctx);
}
