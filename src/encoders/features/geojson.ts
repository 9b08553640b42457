import type { PropertyDef } from '../../catalog/types';
import { CollectionInfo, FeatureEncoder, FeatureRow, propertyText } from './featureEncoder';

function jsonValue(p: PropertyDef, v: string, baseUrl: string): string {
  if (p.type === 'int' || p.type === 'long' || p.type === 'double') {
    const n = Number(v);
    // NaN/Infinity have no JSON form.
    return Number.isFinite(n) ? String(n) : 'null';
  }
  if (p.type === 'boolean') return v === 'true' ? 'true' : 'false';
  return JSON.stringify(propertyText(p, v, baseUrl));
}

const memberNames = new WeakMap<PropertyDef[], string[]>();
/** `"name":` of each property (after the first, with its leading comma), written once per property list instead of once per row. */
function namesOf(properties: PropertyDef[]): string[] {
  let names = memberNames.get(properties);
  if (!names) {
    names = properties.map((p, i) => `${i ? ',' : ''}${JSON.stringify(p.name)}:`);
    memberNames.set(properties, names);
  }
  return names;
}

/** One GeoJSON Feature of a row with the given id (WFS: the gml:id; OGC API: the local id of /items/{id}). */
export function geojsonFeature(row: FeatureRow, info: CollectionInfo, id: string): string {
  const names = namesOf(info.properties);
  let props = '';
  for (let i = 0; i < info.properties.length; i++) {
    const v = row[i + 2];
    props += names[i] + (v === null || v === undefined ? 'null' : jsonValue(info.properties[i], v, info.baseUrl));
  }
  const geom = info.includeGeometry && row[1] ? row[1] : 'null';
  return `{"type":"Feature","id":${JSON.stringify(id)},"geometry":${geom},"properties":{${props}}}`;
}

/**
 * GeoJSON FeatureCollection (RFC 7946 plus the WFS paging members). Coordinates are always x/y
 * (lon/lat for geographic CRSs) as GeoJSON readers expect; a non-default CRS is named in a `crs` member.
 */
export const geojsonEncoder: FeatureEncoder = {
  contentType: 'application/geo+json; charset=utf-8',
  geometryEncoding: 'geojson',
  layout: 'wfs-geojson',
  separator: ',',
  begin(info) {
    const links: { href: string; rel: string; type: string }[] = [];
    if (info.next) links.push({ href: info.next, rel: 'next', type: 'application/geo+json' });
    if (info.previous) links.push({ href: info.previous, rel: 'prev', type: 'application/geo+json' });
    const crs = /(?:^|[:/])(?:4326|CRS:?84)$/i.test(info.srsName) ? '' : `"crs":${JSON.stringify({ type: 'name', properties: { name: info.srsName } })},`;
    return (
      `{"type":"FeatureCollection",${crs}"numberMatched":${typeof info.numberMatched === 'number' ? info.numberMatched : '"unknown"'},` +
      `"numberReturned":${info.numberReturned},"timeStamp":"${info.timeStamp}","links":${JSON.stringify(links)},"features":[`
    );
  },
  feature: (row: FeatureRow, info: CollectionInfo) => geojsonFeature(row, info, `${info.type.name}.${row[0]}`),
  end: () => ']}\n',
};
