/**
 * Entry of the OGC API – Features HTML pages (items, item): draws the page's features on the portal's
 * base map. The server renders everything else (tables, links) and the page works without this
 * script; the features are read from the page itself (`data-geometry` of each feature's row), so a
 * streamed page needs no second request and nothing leaves the server.
 */
import 'ol/ol.css';
import '../styles.css';
import '../ogcapi.css';
import Feature from 'ol/Feature';
import { buffer, getCenter } from 'ol/extent';
import Point from 'ol/geom/Point';
import VectorLayer from 'ol/layer/Vector';
import { fromLonLat } from 'ol/proj';
import VectorSource from 'ol/source/Vector';
import { Circle, Fill, Stroke, Style } from 'ol/style';
import { type BaseMapOptions, createBaseMap } from './baseMap';
import { lonLatOf, unwrapLongitudes } from './coords';

interface Placed {
  id: string;
  label: string;
  row: HTMLElement;
  lon: number;
  lat: number;
}

/** The points of the elements carrying `data-geometry` (GeoJSON Point or MultiPoint in the page's CRS). */
function readFeatures(crs: string): Placed[] {
  const out: Placed[] = [];
  document.querySelectorAll<HTMLElement>('[data-geometry]').forEach((row) => {
    let g: { type?: string; coordinates?: unknown };
    try {
      g = JSON.parse(row.dataset.geometry ?? '') as typeof g;
    } catch {
      return;
    }
    const points = g.type === 'Point' ? [g.coordinates] : g.type === 'MultiPoint' && Array.isArray(g.coordinates) ? g.coordinates : [];
    for (const c of points) {
      const ll = Array.isArray(c) ? lonLatOf(c as number[], crs) : undefined;
      if (ll) out.push({ id: row.dataset.id ?? '', label: row.dataset.label ?? row.dataset.id ?? '', row, lon: ll[0], lat: ll[1] });
    }
  });
  return out;
}

const STYLE = new Style({ image: new Circle({ radius: 6, fill: new Fill({ color: '#0b6e99' }), stroke: new Stroke({ color: '#ffffff', width: 2 }) }) });
const SELECTED = new Style({ image: new Circle({ radius: 9, fill: new Fill({ color: '#d9480f' }), stroke: new Stroke({ color: '#ffffff', width: 2 }) }) });

function boot(): void {
  const target = document.getElementById('map');
  if (!target) return;
  let background: BaseMapOptions = { basemapUrl: '' };
  try {
    const s = JSON.parse(document.getElementById('page-settings')?.textContent ?? '{}') as { basemapUrl?: string; landUrl?: string };
    background = { basemapUrl: String(s.basemapUrl ?? ''), landUrl: s.landUrl ? String(s.landUrl) : undefined };
  } catch {
    // no settings: the graticule background.
  }
  const placed = readFeatures(target.dataset.crs ?? '');
  const { lons } = unwrapLongitudes(placed.map((p) => p.lon));
  const source = new VectorSource<Feature<Point>>();
  source.addFeatures(
    placed.map((p, i) => {
      const f = new Feature(new Point(fromLonLat([lons[i], p.lat])));
      f.set('placed', p);
      return f;
    }),
  );
  const layer = new VectorLayer({ source, style: STYLE });
  // The map is hidden in the markup (nothing to show without JavaScript); shown before OpenLayers measures it.
  target.hidden = false;
  const map = createBaseMap(target, background, [layer]);
  const ext = source.getExtent();
  if (placed.length > 0 && ext) {
    map.getView().fit(buffer(ext, 50000), { padding: [30, 30, 30, 30], maxZoom: 9 });
    if (placed.length === 1) map.getView().setCenter(getCenter(ext));
  }
  let selected: Feature<Point> | undefined;
  const hitOptions = { hitTolerance: 4, layerFilter: (l: unknown) => l === layer };
  map.on('singleclick', (e) => {
    const hit = map.forEachFeatureAtPixel(e.pixel, (f) => f as Feature<Point>, hitOptions);
    if (!hit) return;
    selected?.setStyle(undefined);
    document.querySelectorAll('.selected-row').forEach((r) => r.classList.remove('selected-row'));
    selected = hit;
    hit.setStyle(SELECTED);
    const p = hit.get('placed') as Placed;
    p.row.classList.add('selected-row');
    p.row.scrollIntoView({ block: 'nearest' });
  });
  map.on('pointermove', (e) => {
    target.style.cursor = map.hasFeatureAtPixel(e.pixel, hitOptions) ? 'pointer' : '';
  });
  // What the canvas shows, mirrored in the DOM (for assistive technology and the tests): each drawn
  // feature with its pixel, and how many lie in the view.
  const list = document.createElement('ul');
  list.id = 'map-features';
  list.className = 'visually-hidden';
  target.after(list);
  map.on('rendercomplete', () => {
    if (map.getView().getAnimating()) return;
    const view = map.getView().calculateExtent(map.getSize());
    const items: HTMLLIElement[] = [];
    for (const f of source.getFeaturesInExtent(view)) {
      const p = f.get('placed') as Placed;
      const px = map.getPixelFromCoordinate(f.getGeometry()!.getCoordinates());
      const li = document.createElement('li');
      li.dataset.id = p.id;
      li.dataset.x = String(Math.round(px[0]));
      li.dataset.y = String(Math.round(px[1]));
      li.textContent = p.label;
      items.push(li);
    }
    list.replaceChildren(...items);
    target.dataset.featuresDrawn = String(items.length);
    target.dataset.featuresTotal = String(placed.length);
    target.dataset.ready = 'true';
  });
}

boot();
