/** The station map: OpenLayers, clustered points, centred on the Pacific so the antimeridian does not split the network. */
import Feature from 'ol/Feature';
import { boundingExtent, buffer, getCenter } from 'ol/extent';
import Point from 'ol/geom/Point';
import VectorLayer from 'ol/layer/Vector';
import { fromLonLat } from 'ol/proj';
import Cluster from 'ol/source/Cluster';
import VectorSource from 'ol/source/Vector';
import { Circle, Fill, Stroke, Style, Text } from 'ol/style';
import type { Station } from './api';
import { type BaseMapOptions, createBaseMap } from './baseMap';
import { unwrapLongitudes } from './coords';

export interface StationMap {
  /** Shows only these stations (the property filter). */
  show(stations: Station[]): void;
  /** Highlights one station and brings it into view. */
  select(stationId: string | undefined): void;
}

const styleCache: Record<string, Style> = {};

function clusterStyle(count: number, selected: boolean): Style {
  const key = `${count}:${selected}`;
  if (!styleCache[key]) {
    const radius = count === 1 ? 7 : Math.min(22, 10 + Math.log2(count) * 3);
    styleCache[key] = new Style({
      image: new Circle({
        radius: selected ? radius + 3 : radius,
        fill: new Fill({ color: selected ? '#d9480f' : count === 1 ? '#0b6e99' : '#12496b' }),
        stroke: new Stroke({ color: '#ffffff', width: 2 }),
        // Always drawn; names are what give way.
        declutterMode: 'obstacle',
      }),
      text: count > 1 ? new Text({ text: String(count), fill: new Fill({ color: '#ffffff' }), font: 'bold 12px system-ui, sans-serif', declutterMode: 'none' }) : undefined,
    });
  }
  return styleCache[key];
}

/** Below this resolution (m/px, about zoom 6: one archipelago fills the map) lone stations carry their name. */
export const LABEL_RESOLUTION = 2500;

/** The name beside a lone station, white-haloed so it reads on land and sea. */
function labelStyle(name: string): Style {
  return new Style({
    text: new Text({
      text: name,
      font: '12px system-ui, sans-serif',
      textAlign: 'left',
      offsetX: 11,
      fill: new Fill({ color: '#10324a' }),
      stroke: new Stroke({ color: 'rgba(255,255,255,0.9)', width: 3 }),
    }),
  });
}

/** Creates the map in `target`; `onSelect` receives the id of a clicked station. */
export function createStationMap(target: HTMLElement, background: BaseMapOptions, onSelect: (stationId: string) => void): StationMap {
  const points = new VectorSource<Feature<Point>>();
  const clusters = new Cluster({ source: points, distance: 36, minDistance: 12 });
  let selectedId: string | undefined;
  let stationsMarked = false; // first render with stations, for bench/portal.mjs
  const stationLayer = new VectorLayer({
    source: clusters,
    style: (f, resolution) => {
      const members = f.get('features') as Feature[];
      const marker = clusterStyle(members.length, members.some((m) => m.getId() === selectedId));
      return members.length === 1 && resolution < LABEL_RESOLUTION ? [marker, labelStyle(String(members[0].get('name')))] : marker;
    },
    // Labels give way to each other and to markers rather than overprint.
    declutter: true,
  });
  // Only station clusters are clickable (not graticule lines).
  const hitOptions = { hitTolerance: 4, layerFilter: (l: unknown) => l === stationLayer };
  const map = createBaseMap(target, background, [stationLayer]);
  const clusterList = document.createElement('ul');
  clusterList.id = 'map-clusters';
  // Off-screen, not hidden: screen readers can read what the canvas shows.
  clusterList.className = 'visually-hidden';
  target.after(clusterList);

  map.on('singleclick', (e) => {
    const hit = map.forEachFeatureAtPixel(e.pixel, (f) => f, hitOptions);
    if (!hit) return;
    const members = hit.get('features') as Feature<Point>[] | undefined;
    if (!members) return;
    if (members.length === 1) {
      onSelect(String(members[0].getId()));
      return;
    }
    const ext = boundingExtent(members.map((m) => m.getGeometry()!.getCoordinates()));
    if (ext[2] - ext[0] < 1 && ext[3] - ext[1] < 1) onSelect(String(members[0].getId()));
    else map.getView().fit(buffer(ext, 2000), { duration: 300, padding: [40, 40, 40, 40], maxZoom: 14 });
  });
  map.on('pointermove', (e) => {
    target.style.cursor = map.hasFeatureAtPixel(e.pixel, hitOptions) ? 'pointer' : '';
  });
  // What the canvas shows, mirrored in the DOM: counts for tests and for assistive technology.
  map.on('rendercomplete', () => {
    if (map.getView().getAnimating()) return;
    // The cluster source re-clusters lazily on the first frame at a new resolution: publish only once it has.
    if ((clusters as unknown as { resolution?: number }).resolution !== map.getView().getResolution()) {
      map.render();
      return;
    }
    const items: HTMLLIElement[] = [];
    let total = 0;
    for (const c of clusters.getFeatures()) {
      const members = c.get('features') as Feature[];
      const px = map.getPixelFromCoordinate((c.getGeometry() as Point).getCoordinates());
      const li = document.createElement('li');
      li.dataset.count = String(members.length);
      li.dataset.x = String(Math.round(px[0]));
      li.dataset.y = String(Math.round(px[1]));
      li.dataset.stations = members.map((m) => m.getId()).join(',');
      li.textContent = members.map((m) => m.get('name')).join(', ');
      items.push(li);
      total += members.length;
    }
    clusterList.replaceChildren(...items);
    target.dataset.clusters = String(items.length);
    target.dataset.stationsDrawn = String(total);
    if (total > 0 && !stationsMarked) {
      stationsMarked = true;
      performance.mark('reefgate:stations-drawn');
    }
    target.dataset.extent = map.getView().calculateExtent(map.getSize()).map((v) => Math.round(v)).join(',');
    target.dataset.labels = String(clusters.getFeatures().filter((c) => (c.get('features') as Feature[]).length === 1).length > 0 && (map.getView().getResolution() ?? Infinity) < LABEL_RESOLUTION);
    target.dataset.zoom = (map.getView().getZoom() ?? 0).toFixed(3);
    target.dataset.ready = 'true';
  });

  return {
    show(stations) {
      const { lons } = unwrapLongitudes(stations.map((s) => s.lon));
      points.clear();
      points.addFeatures(
        stations.map((s, i) => {
          const f = new Feature(new Point(fromLonLat([lons[i], s.lat])));
          f.setId(s.id);
          f.set('name', s.name);
          return f;
        }),
      );
      target.dataset.stationsTotal = String(stations.length);
      const ext = points.getExtent();
      if (stations.length > 0 && ext) {
        map.getView().fit(buffer(ext, 50000), { padding: [30, 30, 30, 30], maxZoom: 9 });
        if (stations.length === 1) map.getView().setCenter(getCenter(ext));
      }
    },
    select(stationId) {
      selectedId = stationId;
      clusters.changed();
      const f = stationId ? points.getFeatureById(stationId) : null;
      if (f) {
        const view = map.getView();
        const coord = f.getGeometry()!.getCoordinates();
        const ext = view.calculateExtent(map.getSize());
        if (coord[0] < ext[0] || coord[0] > ext[2] || coord[1] < ext[1] || coord[1] > ext[3]) view.animate({ center: coord, duration: 300 });
      }
    },
  };
}
