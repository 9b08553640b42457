import type { FeatureTypeDef } from '../catalog/types';
import type { Config } from '../config/config';
import type { XMLBuilder } from '../xml/document';

/** The parts of a wfs:FeatureType entry that every WFS version's capabilities write alike. */

type Cfg = Pick<Config, 'namespacePrefix' | 'namespaceUri' | 'metadataUrlTemplate'>;

/** A wfs:FeatureType declaring the feature namespace itself (R3: QGIS and GDAL resolve the prefix there), with name, title and abstract. */
export function featureTypeEntry(list: XMLBuilder, cfg: Cfg, t: FeatureTypeDef): XMLBuilder {
  const ft = list.ele('wfs:FeatureType', { [`xmlns:${cfg.namespacePrefix}`]: cfg.namespaceUri });
  ft.ele('wfs:Name').txt(`${cfg.namespacePrefix}:${t.name}`);
  ft.ele('wfs:Title').txt(t.title);
  ft.ele('wfs:Abstract').txt(t.abstract);
  return ft;
}

/** ows:WGS84BoundingBox of an extent [west, south, east, north] (WFS 2.0 and 1.1). */
export function wgs84BoundingBox(ft: XMLBuilder, e: number[]): void {
  const bb = ft.ele('ows:WGS84BoundingBox');
  bb.ele('ows:LowerCorner').txt(`${e[0]} ${e[1]}`);
  bb.ele('ows:UpperCorner').txt(`${e[2]} ${e[3]}`);
}

/** The type's metadata record URL (METADATA_URL_TEMPLATE with {id}), when one is configured. */
export function typeMetadataUrl(cfg: Cfg, t: FeatureTypeDef): string | undefined {
  return cfg.metadataUrlTemplate ? cfg.metadataUrlTemplate.replace(/\{id\}/g, encodeURIComponent(t.name)) : undefined;
}
