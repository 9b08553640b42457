/**
 * The map every ReefGate page draws on (the portal's station map, the OGC API items and item pages):
 * the configured XYZ base map or, on a closed network, a graticule; an EPSG:3857 view centred on the
 * Pacific so the antimeridian does not split the network. Nothing is fetched but the base map tiles.
 */
import type BaseLayer from 'ol/layer/Base';
import Map from 'ol/Map';
import View from 'ol/View';
import { defaults as defaultControls } from 'ol/control/defaults';
import Graticule from 'ol/layer/Graticule';
import TileLayer from 'ol/layer/Tile';
import { fromLonLat } from 'ol/proj';
import XYZ from 'ol/source/XYZ';
import { Stroke } from 'ol/style';

/** A map in `target` with the base layer under `layers`. */
export function createBaseMap(target: HTMLElement, basemapUrl: string, layers: BaseLayer[]): Map {
  const base: BaseLayer = basemapUrl
    ? new TileLayer({ source: new XYZ({ url: basemapUrl, crossOrigin: 'anonymous' }) })
    : // Without a base map (closed network) a graticule still gives the eye a sense of place.
      new Graticule({ strokeStyle: new Stroke({ color: 'rgba(18,73,107,0.25)', width: 1 }), showLabels: true, wrapX: true });
  return new Map({
    target,
    layers: [base, ...layers],
    controls: defaultControls({ attribution: Boolean(basemapUrl) }),
    view: new View({ center: fromLonLat([180, -15]), zoom: 3, minZoom: 1, maxZoom: 16 }),
  });
}
