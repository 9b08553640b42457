import { escAttr } from '../../xml/escape';
import { NS, XSD, xmlnsText } from '../../xml/namespaces';
import { CollectionInfo, FeatureEncoder, FeatureRow, gmlFeatureBody } from './featureEncoder';

/** Namespaces of a WFS 2.0 collection's root element (wfs:FeatureCollection, wfs:ValueCollection) besides the features'. */
export const WFS20_ROOT_NS = xmlnsText(['wfs', 'gml', 'xsi']);

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
  layout: 'gml32',
  begin(info) {
    const links = (info.next ? ` next="${escAttr(info.next)}"` : '') + (info.previous ? ` previous="${escAttr(info.previous)}"` : '');
    return (
      `<?xml version="1.0" encoding="UTF-8"?>\n<wfs:FeatureCollection${WFS20_ROOT_NS}` +
      ` xmlns:${info.prefix}="${escAttr(info.namespaceUri)}" timeStamp="${info.timeStamp}" numberMatched="${info.numberMatched}" numberReturned="${info.numberReturned}"${links}` +
      ` xsi:schemaLocation="${NS.wfs} ${XSD.wfs20} ${NS.gml} ${XSD.gml321} ${escAttr(info.namespaceUri)} ${escAttr(info.schemaUrl)}">`
    );
  },
  feature(row, info) {
    return `<wfs:member>${gml32Feature(row, info)}</wfs:member>`;
  },
  end() {
    return '</wfs:FeatureCollection>\n';
  },
};
