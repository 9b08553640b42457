import { escAttr } from '../xml/escape';
import { CollectionInfo, FeatureEncoder, FeatureRow, gmlFeatureBody } from './featureEncoder';

export const WFS20_NS = 'http://www.opengis.net/wfs/2.0';
export const GML32_NS = 'http://www.opengis.net/gml/3.2';
const XSI_NS = 'http://www.w3.org/2001/XMLSchema-instance';

/** One feature element in GML 3.2 (`<reef:Station gml:id=...>`), optionally declaring its namespaces (bare root). */
export function gml32Feature(row: FeatureRow, info: CollectionInfo, rootAttrs = ''): string {
  const { prefix, type } = info;
  const out = `<${prefix}:${type.name}${rootAttrs} gml:id="${escAttr(`${type.name}.${row[0]}`)}">${gmlFeatureBody(row, info)}`;
  return `${out}</${prefix}:${type.name}>`;
}

/** GML 3.2 feature collection of WFS 2.0 (the default output of GetFeature). */
export const gml32Encoder: FeatureEncoder = {
  contentType: 'application/gml+xml; version=3.2; charset=utf-8',
  geometryEncoding: 'gml32',
  begin(info) {
    const links = (info.next ? ` next="${escAttr(info.next)}"` : '') + (info.previous ? ` previous="${escAttr(info.previous)}"` : '');
    return (
      `<?xml version="1.0" encoding="UTF-8"?>\n<wfs:FeatureCollection xmlns:wfs="${WFS20_NS}" xmlns:gml="${GML32_NS}" xmlns:xsi="${XSI_NS}"` +
      ` xmlns:${info.prefix}="${escAttr(info.namespaceUri)}" timeStamp="${info.timeStamp}" numberMatched="${info.numberMatched}" numberReturned="${info.numberReturned}"${links}` +
      ` xsi:schemaLocation="${WFS20_NS} http://schemas.opengis.net/wfs/2.0/wfs.xsd ${GML32_NS} http://schemas.opengis.net/gml/3.2.1/gml.xsd ${escAttr(info.namespaceUri)} ${escAttr(info.schemaUrl)}">`
    );
  },
  feature(row, info) {
    return `<wfs:member>${gml32Feature(row, info)}</wfs:member>`;
  },
  end() {
    return '</wfs:FeatureCollection>\n';
  },
};
