import { escAttr } from '../../xml/escape';
import { NS, XSD, xmlnsText } from '../../xml/namespaces';
import { CollectionInfo, FeatureEncoder, gmlFeatureBody } from './featureEncoder';

const ROOT_NS = xmlnsText(['wfs11', 'gml311', 'xsi']);

function head(info: CollectionInfo, version: '1.1.0' | '1.0.0'): string {
  const n = info.hits ? info.numberMatched : info.numberReturned;
  const count = version === '1.1.0' ? ` numberOfFeatures="${n}" timeStamp="${info.timeStamp}"` : '';
  const wfsXsd = version === '1.1.0' ? XSD.wfs110 : XSD.wfs100Basic;
  return (
    `<?xml version="1.0" encoding="UTF-8"?>\n<wfs:FeatureCollection${ROOT_NS}` +
    ` xmlns:${info.prefix}="${escAttr(info.namespaceUri)}"${count} xsi:schemaLocation="${NS.wfs11} ${wfsXsd} ${escAttr(info.namespaceUri)} ${escAttr(info.schemaUrl)}">`
  );
}

/** GML 3.1.1 feature collection of WFS 1.1.0. */
export const gml311Encoder: FeatureEncoder = {
  contentType: 'text/xml; subtype=gml/3.1.1; charset=utf-8',
  geometryEncoding: 'gml311',
  layout: 'gml311',
  begin: (info) => head(info, '1.1.0'),
  feature(row, info) {
    return `<gml:featureMember><${info.prefix}:${info.type.name} gml:id="${escAttr(`${info.type.name}.${row[0]}`)}">${gmlFeatureBody(row, info)}</${info.prefix}:${info.type.name}></gml:featureMember>`;
  },
  end: () => '</wfs:FeatureCollection>\n',
};

/** GML 2.1.2 feature collection of WFS 1.0.0 (fid attributes, gml:coordinates). */
export const gml2Encoder: FeatureEncoder = {
  contentType: 'text/xml; subtype=gml/2.1.2; charset=utf-8',
  geometryEncoding: 'gml2',
  layout: 'gml2',
  begin: (info) => head(info, '1.0.0') + '<gml:boundedBy><gml:null>unknown</gml:null></gml:boundedBy>',
  feature(row, info) {
    return `<gml:featureMember><${info.prefix}:${info.type.name} fid="${escAttr(`${info.type.name}.${row[0]}`)}">${gmlFeatureBody(row, info)}</${info.prefix}:${info.type.name}></gml:featureMember>`;
  },
  end: () => '</wfs:FeatureCollection>\n',
};
