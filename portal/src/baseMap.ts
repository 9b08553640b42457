/**
 * The map every ReefGate page draws on (the portal's station map, the OGC API items and item pages):
 * the gateway's own land layer (Natural Earth 1:10m cut to the network, portal/land.mjs) under a
 * graticule, or the configured XYZ base map; an EPSG:3857 view centred on the Pacific so the
 * antimeridian does not split the network. By default nothing is fetched from another origin.
 */
import type BaseLayer from 'ol/layer/Base';
import Map from 'ol/Map';
import View from 'ol/View';
import { defaults as defaultControls } from 'ol/control/defaults';
import GeoJSON from 'ol/format/GeoJSON';
import type Geometry from 'ol/geom/Geometry';
import type MultiPolygon from 'ol/geom/MultiPolygon';
import Graticule from 'ol/layer/Graticule';
import TileLayer from 'ol/layer/Tile';
import VectorImageLayer from 'ol/layer/VectorImage';
import { fromLonLat } from 'ol/proj';
import VectorSource from 'ol/source/Vector';
import XYZ from 'ol/source/XYZ';
import { Fill, Stroke, Style } from 'ol/style';
import type Feature from 'ol/Feature';

/** What the page's settings say about the background. */
export interface BaseMapOptions {
  /** XYZ tile template; when set it replaces the land layer. */
  basemapUrl: string;
  /** The gateway's land layer (GeoJSON, same origin). */
  landUrl?: string;
}

export const LAND_FILL = '#e8e1cc';
const LAND_STYLE = new Style({ fill: new Fill({ color: LAND_FILL }), stroke: new Stroke({ color: '#8f8668', width: 0.75 }) });

/** The land polygons, drawn as one image per frame (cheap while panning); `target` gets `data-land-polygons` once loaded. */
function landLayer(url: string, target: HTMLElement): VectorImageLayer<VectorSource<Feature<Geometry>>> {
  const source = new VectorSource<Feature<Geometry>>({ url, format: new GeoJSON<Feature<Geometry>>() });
  source.on('featuresloadend', () => {
    const polygons = source.getFeatures().reduce((n, f) => n + ((f.getGeometry() as MultiPolygon | undefined)?.getPolygons().length ?? 0), 0);
    target.dataset.landPolygons = String(polygons);
  });
  source.on('featuresloaderror', () => (target.dataset.landPolygons = 'error'));
  // Rendered with the world copies (wrapX), so 178°W also shows at 182°E beside Fiji.
  return new VectorImageLayer({ source, style: LAND_STYLE, className: 'land-layer' });
}

/** A map in `target` with the background (land or tiles, graticule) under `layers`. */
export function createBaseMap(target: HTMLElement, opts: BaseMapOptions, layers: BaseLayer[]): Map {
  const graticule = new Graticule({ strokeStyle: new Stroke({ color: 'rgba(18,73,107,0.25)', width: 1 }), showLabels: true, wrapX: true });
  const background: BaseLayer[] = opts.basemapUrl
    ? [new TileLayer({ source: new XYZ({ url: opts.basemapUrl, crossOrigin: 'anonymous' }) })]
    : opts.landUrl
      ? [landLayer(opts.landUrl, target), graticule]
      : [graticule];
  return new Map({
    target,
    layers: [...background, ...layers],
    controls: defaultControls({ attribution: Boolean(opts.basemapUrl) }),
    view: new View({ center: fromLonLat([180, -15]), zoom: 3, minZoom: 1, maxZoom: 16 }),
  });
}
