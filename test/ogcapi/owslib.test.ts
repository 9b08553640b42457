import { listeningApp } from '../helpers/app';
import { hasOwslib, runPythonJson } from '../helpers/owslib';
import { demoStations } from '../wfs/helpers';
import { apiFeatures } from './helpers';

/**
 * OWSLib's OGC API – Features client (owslib.ogcapi.features, Debian's python3-owslib 0.27) against a
 * listening gateway. OWSLib has no paging of its own: its users follow the `next` link by passing the
 * link's parameters back to collection_items(), which is what the script does, so every page OWSLib
 * asks for is a URL the gateway wrote. The features it reads are compared with the API's own JSON.
 */
const SCRIPT = `
import json, sys
from urllib.parse import urlparse, parse_qsl
from owslib.ogcapi.features import Features

w = Features(sys.argv[1])

def pages(cid, **kw):
    """Every page of an items query, following next links through collection_items()."""
    out = []
    while True:
        r = w.collection_items(cid, **kw)
        out.append({'url': w.request, 'numberMatched': r.get('numberMatched'), 'numberReturned': r['numberReturned'],
                    'features': [[f['id'], f['geometry']['coordinates']] for f in r['features']]})
        nxt = [l['href'] for l in r['links'] if l['rel'] == 'next']
        if not nxt or len(out) > 200:
            return out
        kw = dict(parse_qsl(urlparse(nxt[0]).query))
        if 'bbox' in kw:
            # collection_items() writes a list as minx,miny,maxx,maxy; a string would be split into characters.
            kw['bbox'] = [float(v) for v in kw['bbox'].split(',')]

out = {'url': w.url, 'landingRels': sorted(l['rel'] for l in w.links)}
out['conformance'] = w.conformance()['conformsTo']
out['collections'] = [c['id'] for c in w.collections()['collections']]
out['featureCollections'] = w.feature_collections()
out['stations'] = w.collection('stations')
out['queryables'] = sorted(w.collection_queryables('observations')['properties'])
out['stationPages'] = pages('stations', bbox=[164, -23, 168, -19], limit=4)
out['observationPages'] = pages('observations', bbox=[166, -23, 167, -22], datetime='2024-03-01T00:00:00Z/2024-03-05T00:00:00Z', limit=50)
out['datasetPages'] = pages('datasets', limit=20)
out['filterPages'] = pages('stations', filter="country = 'NCL' AND depth > 5", limit=100)
out['item'] = w.collection_item('stations', 'NCL_AMEDEE')
try:
    w.collection_items('nope')
    out['unknown'] = None
except RuntimeError as e:
    out['unknown'] = json.loads(str(e))
print(json.dumps(out))
`;

const maybe = hasOwslib('owslib.ogcapi.features') ? describe : describe.skip;

let out: any;

const features = (pages: any[]) => pages.flatMap((p) => p.features);

maybe('OWSLib ogcapi.features against a live server', () => {
  const srv = listeningApp();
  beforeAll(async () => {
    out = await runPythonJson(SCRIPT, [`${srv.base}/ogcapi`]);
  }, 180000);

  it('opens the landing page and reads conformance, collections, one collection and queryables', () => {
    expect(out.url).toBe(`${srv.base}/ogcapi/`);
    expect(out.landingRels).toEqual(expect.arrayContaining(['conformance', 'data', 'self']));
    expect(out.conformance).toEqual(expect.arrayContaining(['http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/core', 'http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/geojson']));
    expect(out.collections).toEqual(['stations', 'datasets', 'observations', 'insitu']);
    expect(out.featureCollections).toEqual(['stations', 'datasets', 'observations', 'insitu']);
    expect(out.stations.id).toBe('stations');
    expect(out.stations.itemType).toBe('feature');
    const lons = [...demoStations().values()].map(([lon]) => lon);
    expect(out.stations.extent.spatial.bbox[0][0]).toBeCloseTo(Math.min(...lons), 6);
    expect(out.queryables).toEqual(expect.arrayContaining(['geom', 'time', 'value', 'qc', 'datasetId']));
  });

  it('collection_items with bbox and limit pages the stations inside the box, by next links, with exact coordinates', async () => {
    const pages = out.stationPages as any[];
    const box = [164, -23, 168, -19];
    const csv = demoStations();
    const inside = [...csv.entries()].filter(([, [lon, lat]]) => lon >= box[0] && lon <= box[2] && lat >= box[1] && lat <= box[3]);
    expect(inside.length).toBeGreaterThan(8); // three pages of 4 at least
    expect(pages).toHaveLength(Math.ceil(inside.length / 4));
    for (const p of pages) {
      const q = new URL(p.url).searchParams;
      expect(q.get('bbox')!.split(',').map(Number)).toEqual(box);
      expect(q.get('limit')).toBe('4');
      expect(p.numberMatched).toBe(inside.length);
    }
    expect(pages.slice(1).every((p) => new URL(p.url).searchParams.get('offset') !== null)).toBe(true);
    const got = features(pages);
    expect(got.map(([id]: [string]) => id).sort()).toEqual(inside.map(([id]) => id).sort());
    for (const [id, [lon, lat]] of got) {
      expect(Math.abs(lon - csv.get(id)![0])).toBeLessThanOrEqual(1e-9);
      expect(Math.abs(lat - csv.get(id)![1])).toBeLessThanOrEqual(1e-9);
    }
    expect(got).toEqual(await apiFeatures(srv.app, 'stations', 'bbox=164,-23,168,-19'));
  });

  it('pages a bbox and datetime query on observations to the end, the same features as the API in one page', async () => {
    const pages = out.observationPages as any[];
    expect(pages.length).toBeGreaterThanOrEqual(3);
    for (const p of pages) expect(new URL(p.url).searchParams.get('datetime')).toBe('2024-03-01T00:00:00Z/2024-03-05T00:00:00Z');
    // Filtered observation pages after the first are positioned by the key the next link carries.
    for (const p of pages.slice(1)) expect(new URL(p.url).searchParams.get('after')).toMatch(/^\d+\.2024-03-/);
    expect(pages.slice(0, -1).every((p) => p.numberReturned === 50)).toBe(true);
    const got = features(pages);
    expect(pages[pages.length - 1].numberMatched).toBe(got.length);
    expect(got).toEqual(await apiFeatures(srv.app, 'observations', `bbox=166,-23,167,-22&datetime=${encodeURIComponent('2024-03-01T00:00:00Z/2024-03-05T00:00:00Z')}`));
  });

  it('pages every dataset, reads a CQL2 filter and a single item, and gets the JSON error of an unknown collection', async () => {
    const ds = features(out.datasetPages);
    expect(out.datasetPages.map((p: any) => p.numberReturned)).toEqual([20, 20, 15]);
    expect(ds).toEqual(await apiFeatures(srv.app, 'datasets', ''));
    const filtered = features(out.filterPages);
    expect(filtered.length).toBeGreaterThan(0);
    expect(filtered).toEqual(await apiFeatures(srv.app, 'stations', `filter=${encodeURIComponent("country = 'NCL' AND depth > 5")}`));
    expect(filtered.length).toBeLessThan(demoStations().size);
    expect(out.item.id).toBe('NCL_AMEDEE');
    expect(out.item.geometry.coordinates).toEqual(demoStations().get('NCL_AMEDEE'));
    expect(out.unknown).toEqual({ code: 'NotFound', description: expect.stringContaining('nope') });
  });
});
