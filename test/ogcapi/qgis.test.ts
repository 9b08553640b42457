import pino from 'pino';
import { listeningApp } from '../helpers/app';
import { runPythonJson } from '../helpers/owslib';
import { hasQgis } from '../helpers/qgis';
import { demoStations } from '../wfs/helpers';
import { followPages, get } from './helpers';

/**
 * QGIS's OAPIF provider (Debian python3-qgis, headless) against a listening gateway whose request log
 * the test reads. One Python process does every QGIS check, so QGIS starts once. Skipped where QGIS is
 * not installed, except in CI (REEFGATE_REQUIRE_TOOLS=1), where its absence fails.
 *
 * `restrictToRequestBBOX='1'` is the connection's "Only request features overlapping the view extent":
 * without it the provider downloads the whole layer whatever the map extent, and filters locally.
 */
const SCRIPT = `
import json, os, sys
os.environ['QT_QPA_PLATFORM'] = 'offscreen'
from qgis.core import QgsApplication, QgsVectorLayer, QgsFeatureRequest, QgsRectangle
app = QgsApplication([], False)
app.initQgis()
base = sys.argv[1]

def layer(typename, extra=''):
    lyr = QgsVectorLayer(f"url='{base}/ogcapi' typename='{typename}' {extra}", typename, 'OAPIF')
    if not lyr.isValid():
        raise SystemExit(f'{typename}: the OAPIF layer is not valid (QGIS needs the landing page, a service-desc link to a JSON OpenAPI document, conformance and the collection)')
    return lyr

def read(lyr, rect=None):
    req = QgsFeatureRequest()
    if rect:
        req.setFilterRect(QgsRectangle(*rect))
    out = []
    for f in lyr.getFeatures(req):
        p = f.geometry().asPoint()
        out.append([f['id'], p.x(), p.y()])
    return out

out = {}
st = layer('stations')
out['stations'] = {'count': st.featureCount(), 'crs': st.crs().authid(), 'fields': [[f.name(), f.typeName()] for f in st.fields()], 'features': read(st)}
view = layer('stations', "restrictToRequestBBOX='1'")
out['stationsInView'] = read(view, (164, -23, 168, -19))
ob = layer('observations', "pageSize=100 restrictToRequestBBOX='1'")
out['observationCount'] = ob.featureCount()
out['observations'] = read(ob, (158, -20, 159, -19))
print(json.dumps(out), flush=True)
# Layers go before exitQgis(): QGIS crashes on exit when a provider outlives it.
del st, view, ob
app.exitQgis()
`;

const maybe = hasQgis() ? describe : describe.skip;

/** The gateway's own request log lines (url, status), and those written while QGIS ran. */
const log: { url: string; status: number }[] = [];
let requests: { url: string; status: number }[];
let out: any;

maybe('QGIS OAPIF provider against a live server', () => {
  const srv = listeningApp({}, { log: pino({ level: 'info' }, { write: (line: string) => void log.push(...[JSON.parse(line)].filter((l) => l.msg === 'request')) }) });
  beforeAll(async () => {
    out = await runPythonJson(SCRIPT, [srv.base], 240000);
    requests = log.slice();
  }, 300000);

  /** Ids and coordinates of every feature of an items query, read by the API's own next links. */
  async function apiFeatures(collection: string, query: string): Promise<[string, number, number][]> {
    const pages = await followPages(srv.app, `/ogcapi/collections/${collection}/items?limit=10000&${query}`);
    return pages.flatMap((p) => p.features.map((f: any) => [f.id, ...f.geometry.coordinates]));
  }

  it('loads every station with its fields, the count from numberMatched and the coordinates of stations.csv', () => {
    const s = out.stations;
    const csv = demoStations();
    expect(s.count).toBe(csv.size);
    expect(s.crs).toBe('EPSG:4326');
    expect(s.fields).toEqual(expect.arrayContaining([['stationId', 'String'], ['depth', 'Integer'], ['firstObservation', 'DateTime']]));
    expect(s.features.map(([id]: [string]) => id).sort()).toEqual([...csv.keys()].sort());
    for (const [id, x, y] of s.features) {
      expect(Math.abs(x - csv.get(id)![0])).toBeLessThanOrEqual(1e-9);
      expect(Math.abs(y - csv.get(id)![1])).toBeLessThanOrEqual(1e-9);
    }
  });

  it('asks the gateway for the map extent only (bbox) and gets the stations inside it', () => {
    const box = [164, -23, 168, -19];
    const inside = [...demoStations()].filter(([, [lon, lat]]) => lon >= box[0] && lon <= box[2] && lat >= box[1] && lat <= box[3]).map(([id]) => id);
    expect(inside.length).toBeGreaterThan(3);
    expect(inside.length).toBeLessThan(demoStations().size);
    expect(out.stationsInView.map(([id]: [string]) => id).sort()).toEqual(inside.sort());
    const bboxRequests = requests.filter((r) => /\/ogcapi\/collections\/stations\/items\?/.test(r.url) && new URL(r.url, 'http://x').searchParams.get('bbox') === '164,-23,168,-19');
    expect(bboxRequests.length).toBeGreaterThan(0);
    expect(bboxRequests.every((r) => r.status === 200)).toBe(true);
  });

  it('pages through the observations of a map extent 100 at a time by next links, reading what the API serves', async () => {
    expect(out.observationCount).toBe((await get(srv.app, '/ogcapi/collections/observations/items?limit=1')).json.numberMatched);
    const expected = await apiFeatures('observations', 'bbox=158,-20,159,-19');
    expect(expected.length).toBeGreaterThan(4000);
    expect(out.observations).toEqual(expected);
    const pages = requests.filter((r) => /\/ogcapi\/collections\/observations\/items\?/.test(r.url) && new URL(r.url, 'http://x').searchParams.get('bbox') === '158,-20,159,-19');
    expect(pages.length).toBe(Math.ceil(expected.length / 100));
    for (const r of pages) {
      expect(r.status).toBe(200);
      expect(new URL(r.url, 'http://x').searchParams.get('limit')).toBe('100');
    }
    // After the first, every page is one the gateway's next link wrote (keyset: after=).
    expect(pages.slice(1).every((r) => /[?&]after=/.test(r.url))).toBe(true);
  });
});
