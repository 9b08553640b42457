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
 * /items/{featureId} (no `Type.` prefix), numberMatched is left out when it is not known exactly, and
 * coordinates follow the CRS axis order (geometry encoding `geojson-crs`). The links member comes
 * after the features: a streamed page's next link may need its last row (keyset paging), so `links`
 * is asked for them, as their JSON text, with that row once it has been written.
 */
export function ogcapiItemsEncoder(links: (lastRow: FeatureRow | undefined) => string): FeatureEncoder {
  return {
    contentType: 'application/geo+json; charset=utf-8',
    geometryEncoding: 'geojson-crs',
    separator: ',',
    layout: 'ogcapi-geojson',
    begin: (info: CollectionInfo) =>
      `{"type":"FeatureCollection","timeStamp":"${info.timeStamp}",` +
      (typeof info.numberMatched === 'number' ? `"numberMatched":${info.numberMatched},` : '') +
      `"numberReturned":${info.numberReturned},"features":[`,
    feature: (row: FeatureRow, info: CollectionInfo) => geojsonFeature(row, info, row[0] ?? ''),
    end: (_info: CollectionInfo, lastRow?: FeatureRow) => `],"links":${links(lastRow)}}\n`,
  };
}

/** One OGC API feature (/items/{featureId}) with its links. */
export function ogcapiFeature(row: FeatureRow, info: CollectionInfo, links: ApiLink[]): string {
  const f = geojsonFeature(row, info, row[0] ?? '');
  return `${f.slice(0, -1)},"links":${JSON.stringify(links)}}\n`;
}
