import type { CollectionInfo, FeatureEncoder, FeatureRow } from './featureEncoder';
import { geojsonFeature } from './geojson';

/** A link of an OGC API document. */
export interface ApiLink {
  href: string;
  rel: string;
  type?: string;
  title?: string;
}

/**
 * OGC API – Features items as a GeoJSON FeatureCollection: the feature ids are those of
 * /items/{featureId} (no `Type.` prefix), the links (self, alternates, next, prev, collection) come
 * with the encoder, and numberMatched is left out when it is not known exactly. Coordinates follow
 * the CRS axis order (geometry encoding `geojson-crs`).
 */
export function ogcapiItemsEncoder(links: ApiLink[]): FeatureEncoder {
  return {
    contentType: 'application/geo+json; charset=utf-8',
    geometryEncoding: 'geojson-crs',
    separator: ',',
    begin: (info: CollectionInfo) =>
      `{"type":"FeatureCollection","timeStamp":"${info.timeStamp}",` +
      (typeof info.numberMatched === 'number' ? `"numberMatched":${info.numberMatched},` : '') +
      `"numberReturned":${info.numberReturned},"links":${JSON.stringify(links)},"features":[`,
    feature: (row: FeatureRow, info: CollectionInfo) => geojsonFeature(row, info, row[0] ?? ''),
    end: () => ']}\n',
  };
}

/** One OGC API feature (/items/{featureId}) with its links. */
export function ogcapiFeature(row: FeatureRow, info: CollectionInfo, links: ApiLink[]): string {
  const f = geojsonFeature(row, info, row[0] ?? '');
  return `${f.slice(0, -1)},"links":${JSON.stringify(links)}}\n`;
}
