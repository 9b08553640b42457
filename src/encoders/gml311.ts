import { escAttr } from '../xml/escape';
import { CollectionInfo, FeatureEncoder, gmlFeatureBody } from './featureEncoder';

export const WFS_NS = 'http://www.opengis.net/wfs';
export const GML_NS = 'http://www.opengis.net/gml';
const XSI_NS = 'http://www.w3.org/2001/XMLSchema-instance';

function head(info: CollectionInfo, version: '1.1.0' | '1.0.0'): string {
  const n = info.hits ? info.numberMatched : info.numberReturned;
  const count = version === '1.1.0' ? ` numberOfFeatures="${n}" timeStamp="${info.timeStamp}"` : '';
  const wfsXsd = `http://schemas.opengis.net/wfs/${version}/${version === '1.1.0' ? 'wfs.xsd' : 'WFS-basic.xsd'}`;
  return (
    `<?xml version="1.0" encoding="UTF-8"?>\n<wfs:FeatureCollection xmlns:wfs="${WFS_NS}" xmlns:gml="${GML_NS}" xmlns:xsi="${XSI_NS}"` +
    ` xmlns:${info.prefix}="${escAttr(info.namespaceUri)}"${count} xsi:schemaLocation="${WFS_NS} ${wfsXsd} ${escAttr(info.namespaceUri)} ${escAttr(info.schemaUrl)}">`
  );
}

/** GML 3.1.1 feature collection of WFS 1.1.0. */
export const gml311Encoder: FeatureEncoder = {
  contentType: 'text/xml; subtype=gml/3.1.1; charset=utf-8',
  geometryEncoding: 'gml311',
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
  begin: (info) => head(info, '1.0.0') + '<gml:boundedBy><gml:null>unknown</gml:null></gml:boundedBy>',
  feature(row, info) {
    return `<gml:featureMember><${info.prefix}:${info.type.name} fid="${escAttr(`${info.type.name}.${row[0]}`)}">${gmlFeatureBody(row, info)}</${info.prefix}:${info.type.name}></gml:featureMember>`;
  },
  end: () => '</wfs:FeatureCollection>\n',
};
