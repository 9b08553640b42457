import { listeningApp } from '../helpers/app';
import { hasOwslib, runPythonJson } from '../helpers/owslib';
import { demoStations } from './helpers';

/**
 * OWSLib's WFS 1.0.0 client against a listening gateway. OWSLib 0.27 (Debian's python3-owslib) reads
 * the service's wfs:Keywords unconditionally: capabilities without it crash WebFeatureService() itself.
 * The features are read the way an OWSLib user reads them: the GML 2 body parsed with its etree.
 */
const SCRIPT = `
import json, sys
from owslib.wfs import WebFeatureService
from owslib.etree import etree
url, bbox = sys.argv[1], tuple(float(x) for x in sys.argv[2].split(','))
w = WebFeatureService(url, version='1.0.0')
st = w.contents['reef:Station']
out = {'version': w.version, 'title': w.identification.title, 'serviceKeywords': w.identification.keywords,
       'types': list(w.contents), 'typeKeywords': {k: v.keywords for k, v in w.contents.items()},
       'stationBbox': list(st.boundingBox[:4]), 'operations': sorted(op.name for op in w.operations)}
body = w.getfeature(typename=['reef:Station'], bbox=bbox).read()
root = etree.fromstring(body)
GML, REEF = '{http://www.opengis.net/gml}', '{http://reefgate.org/reef}'
out['root'] = root.tag
feats = []
for m in root.findall(GML + 'featureMember'):
    f = m.find(REEF + 'Station')
    lon, lat = (float(v) for v in f.find('.//' + GML + 'coordinates').text.split(','))
    feats.append({'fid': f.get('fid'), 'stationId': f.find(REEF + 'stationId').text, 'lon': lon, 'lat': lat})
out['features'] = feats
print(json.dumps(out))
`;

const maybe = hasOwslib('owslib.wfs') ? describe : describe.skip;

maybe('OWSLib WebFeatureService 1.0.0 against a live server', () => {
  const srv = listeningApp();

  test('opens the capabilities, lists the feature types with keywords, and getfeature(bbox=) returns exactly the stations inside', async () => {
    // New Caledonia's main island and the Loyalty Islands: lon 164..168, lat -23..-19 (WFS 1.0.0 BBOX is minx,miny,maxx,maxy in EPSG:4326).
    const box = [164, -23, 168, -19];
    const out = await runPythonJson(SCRIPT, [`${srv.base}/wfs`, box.join(',')]);
    expect(out.version).toBe('1.0.0');
    expect(out.title).toBe(srv.app.config.serviceTitle);
    expect(out.serviceKeywords).toEqual(['ocean, observations, stations, sea temperature, WFS']);
    expect(out.types).toEqual(['reef:Station', 'reef:Dataset', 'reef:Observation']);
    for (const k of out.types) expect(out.typeKeywords[k]).toHaveLength(1);
    expect(out.typeKeywords['reef:Station'][0]).toMatch(/stations/);
    expect(out.operations).toEqual(['DescribeFeatureType', 'GetCapabilities', 'GetFeature']);
    const all = demoStations();
    const lons = [...all.values()].map(([lon]) => lon);
    expect(out.stationBbox[0]).toBeCloseTo(Math.min(...lons), 6);
    expect(out.stationBbox[2]).toBeCloseTo(Math.max(...lons), 6);

    expect(out.root).toBe('{http://www.opengis.net/wfs}FeatureCollection');
    const expected = [...all.entries()].filter(([, [lon, lat]]) => lon >= box[0] && lon <= box[2] && lat >= box[1] && lat <= box[3]).map(([id]) => id);
    // The box is a real selection: some stations in, most out (NCL_MARE at 168.03 and NCL_CHESTER at 158.32 are out).
    expect(expected.length).toBeGreaterThan(5);
    expect(expected.length).toBeLessThan(all.size);
    expect(expected).not.toContain('NCL_MARE');
    expect(out.features.map((f: any) => f.stationId).sort()).toEqual(expected.sort());
    for (const f of out.features) {
      expect(f.fid).toBe(`Station.${f.stationId}`);
      const [lon, lat] = all.get(f.stationId)!;
      expect(f.lon).toBeCloseTo(lon, 6);
      expect(f.lat).toBeCloseTo(lat, 6);
    }
  });
});
