import { listeningApp } from '../helpers/app';
import { hasOwslib, runPythonJson } from '../helpers/owslib';
import { demoRows } from './helpers';

const maybe = hasOwslib('owslib.sos') ? describe : describe.skip;

/**
 * OWSLib driven for real against a listening server; the script prints JSON. Measurement times are
 * read from resultTime: OWSLib's OM_Observation.phenomenonTime reads the text of gml:TimeInstant
 * itself (not its timePosition), so it is always None for schema-valid O&M.
 */
const SCRIPT = `
import json, sys
from owslib.sos import SensorObservationService
from owslib.etree import etree
from owslib.swe.observation.sos200 import SOSGetObservationResponse
url, off, prop, t = sys.argv[1:5]
sos = SensorObservationService(url, version='2.0.0')
out = {'offerings': [o.id for o in sos.offerings]}
o = sos[off]
out['offering'] = {'procedures': o.procedures, 'props': o.observed_properties, 'begin': str(o.begin_position), 'bbox': list(o.bbox) if o.bbox else None,
                   'formats': o.response_formats}
for fmt in ['http://www.opengis.net/om/2.0', 'http://www.opengis.net/waterml/2.0']:
    resp = sos.get_observation(offerings=[off], observedProperties=[prop], responseFormat=fmt, eventTime='om:phenomenonTime,' + t)
    parsed = SOSGetObservationResponse(etree.fromstring(resp))
    pts = []
    for obs in parsed.observations:
        r = obs.get_result()
        if hasattr(r, 'points'):
            out['wml_uom'] = r.defaultTVPMetadata.uom
            pts += [[p.datetime.strftime('%Y-%m-%dT%H:%M:%SZ'), p.value] for p in r.points]
        else:
            out['om_uom'] = r.uom
            pts.append([obs.resultTime.strftime('%Y-%m-%dT%H:%M:%SZ'), r.value])
    out[fmt] = pts
latest = sos.get_observation(offerings=[off], observedProperties=[prop], eventTime='om:phenomenonTime,latest')
out['latest'] = [[o.resultTime.strftime('%Y-%m-%dT%H:%M:%SZ'), o.get_result().value] for o in SOSGetObservationResponse(etree.fromstring(latest)).observations]
print(json.dumps(out))
`;

maybe('OWSLib SensorObservationService 2.0.0 against a live server', () => {
  const srv = listeningApp();

  test('parses every offering and one month of observations with its own O&M and WaterML 2.0 parsers', async () => {
    const off = 'OUVEA01_TEMP_0A_SBE56';
    const prop = 'http://vocab.nerc.ac.uk/standard_name/sea_water_temperature/';
    const month = '2024-03-01T00:00:00Z/2024-03-31T23:59:59Z';
    const out = await runPythonJson(SCRIPT, [`${srv.base}/sos`, off, prop, month]);
    expect(out.offerings).toHaveLength(55);
    expect(new Set(out.offerings)).toEqual(new Set(demoRows().keys()));
    expect(out.offering.procedures).toEqual(['NCL_OUVEA01_SBE56']);
    expect(out.offering.props).toEqual([prop]);
    expect(out.offering.begin).toMatch(/^2024-01-23 06:00:00/);
    expect(out.offering.bbox[0]).toBeCloseTo(166.560983, 5);
    expect(out.offering.formats).toContain('http://www.opengis.net/waterml/2.0');
    const expected = demoRows()
      .get(off)!
      .filter((x) => x.time >= '2024-03-01T00:00:00Z' && x.time <= '2024-03-31T23:59:59Z')
      .map((x) => [x.time, Number(x.value)]);
    expect(expected.length).toBeGreaterThan(100);
    expect(out['http://www.opengis.net/om/2.0']).toEqual(expected);
    expect(out['http://www.opengis.net/waterml/2.0']).toEqual(expected);
    expect(out.om_uom).toBe('Cel');
    expect(out.wml_uom).toBe('Cel');
    const all = demoRows().get(off)!;
    expect(out.latest).toEqual([[all[all.length - 1].time, Number(all[all.length - 1].value)]]);
  });
});
