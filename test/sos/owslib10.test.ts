import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { importDirectory } from '../../src/ingest/importer';
import { listeningApp, TestApp } from '../helpers/app';
import { hasOwslib, runPythonJson } from '../helpers/owslib';

/**
 * OWSLib's SOS 1.0.0 client against a listening gateway. OWSLib keys the offerings of the capabilities
 * by their gml:id (`contents[off.id]`) and users pass that id back to get_observation(offerings=[off.id]).
 * OWSLib has no O&M 1.0 parser: the response is read with its etree, as an OWSLib user would.
 */
const SCRIPT = `
import json, sys
from owslib.sos import SensorObservationService
from owslib.etree import etree
url, code, period = sys.argv[1:4]
NS = {'om': 'http://www.opengis.net/om/1.0', 'swe': 'http://www.opengis.net/swe/1.0.1', 'gml': 'http://www.opengis.net/gml'}
sos = SensorObservationService(url, version='1.0.0')
off = next(o for o in sos.offerings if o.name == code)
out = {'ids': [o.id for o in sos.offerings], 'names': [o.name for o in sos.offerings], 'id': off.id, 'sameById': sos[off.id] is off,
       'props': off.observed_properties, 'procedures': off.procedures, 'fois': off.features_of_interest, 'formats': off.response_formats}
args = dict(offerings=[off.id], responseFormat=off.response_formats[0], observedProperties=off.observed_properties, eventTime=period)
root = etree.fromstring(sos.get_observation(**args))
series = []
for o in root.findall('om:member/om:Observation', NS):
    tb = o.find('.//swe:encoding/swe:TextBlock', NS)
    text = o.find('.//swe:values', NS).text or ''
    series.append({'name': o.find('gml:name', NS).text, 'procedure': o.find('om:procedure', NS).get('{http://www.w3.org/1999/xlink}href'),
                   'count': int(o.find('om:result/swe:DataArray/swe:elementCount/swe:Count/swe:value', NS).text),
                   'rows': [b.split(tb.get('tokenSeparator')) for b in text.split(tb.get('blockSeparator')) if b]})
out['observation'] = series
root = etree.fromstring(sos.get_observation(resultModel='om:Measurement', **args))
out['measurement'] = [[m.find('om:samplingTime/gml:TimeInstant/gml:timePosition', NS).text, m.find('om:result', NS).text, m.find('om:result', NS).get('uom')]
                      for m in root.findall('om:member/om:Measurement', NS)]
print(json.dumps(out))
`;

/** Every offering of the capabilities, fetched back by the gml:id OWSLib keys it by. */
const EVERY_OFFERING = `
import json, sys
from owslib.sos import SensorObservationService
from owslib.etree import etree
NS = {'om': 'http://www.opengis.net/om/1.0', 'gml': 'http://www.opengis.net/gml'}
sos = SensorObservationService(sys.argv[1], version='1.0.0')
out = []
for off in sos.offerings:
    root = etree.fromstring(sos.get_observation(offerings=[off.id], responseFormat=off.response_formats[0], observedProperties=off.observed_properties))
    out.append({'id': off.id, 'name': off.name, 'got': [n.text for n in root.findall('om:member/om:Observation/gml:name', NS)],
                'values': [(o.text or '') for o in root.findall('.//{http://www.opengis.net/swe/1.0.1}values')]})
print(json.dumps(out))
`;

/** A DB value as the O&M 1.0 text reads it back: missing values are empty (DataArray) or NaN (Measurement). */
const num = (s: string): number | null => (s === '' || s === 'NaN' ? null : Number(s));

const maybe = hasOwslib('owslib.sos') ? describe : describe.skip;

maybe('OWSLib SensorObservationService 1.0.0 against a live server', () => {
  const srv = listeningApp();

  test('an offering taken from contents gets its observations with get_observation(offerings=[off.id]); values and times equal the database rows', async () => {
    const code = 'OUVEA01_TEMP_0A_SBE56';
    const [from, to] = ['2024-03-01T00:00:00Z', '2024-03-31T23:59:59Z'];
    const out = await runPythonJson(SCRIPT, [`${srv.base}/sos`, code, `${from}/${to}`]);
    const codes = (await srv.app.db.store.query<{ code: string }>('SELECT code FROM dataset ORDER BY code')).rows.map((r) => r.code);
    expect(out.names).toEqual(codes);
    // Codes that are NCNames are their own gml:id: the id OWSLib hands out is the offering identifier.
    expect(out.ids).toEqual(codes);
    expect(out.id).toBe(code);
    expect(out.sameById).toBe(true);
    expect(out.procedures).toEqual(['NCL_OUVEA01_SBE56']);
    expect(out.fois).toEqual(['NCL_OUVEA01']);
    expect(out.props).toEqual(['http://vocab.nerc.ac.uk/standard_name/sea_water_temperature/']);
    expect(out.formats).toEqual(['text/xml;subtype="om/1.0.0"']);

    const db = (
      await srv.app.db.store.query<{ time: string; value: number | null; qc: number; uom: string }>(
        `SELECT to_char(o.time AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"') AS time, o.value, o.qc, p.uom
         FROM observation o JOIN dataset d ON d.id = o.dataset_id JOIN observed_property p ON p.id = d.property_id
         WHERE d.code = $1 AND o.time BETWEEN $2 AND $3 ORDER BY o.time`,
        [code, from, to],
      )
    ).rows;
    expect(db.length).toBeGreaterThan(100);
    const expected = db.map((r) => [r.time, r.value === null ? null : Number(r.value), Number(r.qc)]);

    expect(out.observation).toHaveLength(1);
    const [s] = out.observation;
    expect(s.name).toBe(code);
    expect(s.procedure).toBe('NCL_OUVEA01_SBE56');
    expect(s.count).toBe(db.length);
    expect(s.rows.map(([time, v, qc]: string[]) => [time, num(v), Number(qc)])).toEqual(expected);

    expect(out.measurement.map(([time, v]: string[]) => [time, num(v)])).toEqual(expected.map(([time, v]) => [time, v]));
    expect(new Set(out.measurement.map((m: string[]) => m[2]))).toEqual(new Set([db[0].uom]));
  });
});

maybe('OWSLib SOS 1.0.0: offering codes that are not NCNames, or look like another offering gml:id', () => {
  // '1A_TEMP' cannot be a gml:id (it starts with a digit) and falls back to off_1A_TEMP, which is also
  // the code of another offering: the gml:ids must still be unique and each must name its own offering.
  const CODES = ['1A_TEMP', 'off_1A_TEMP', 'ST_TEMP'];
  /** One station with an offering of each code, imported into the empty database before the port opens. */
  const importCodes = async (t: TestApp) => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rg-owslib10-'));
    fs.writeFileSync(path.join(dir, 'stations.csv'), 'station_id,name,network,producer,country,lat,lon,depth_m\nST_A,Station A,ReefTEMPS,IRD,NCL,-22.4775,166.4675,12\n');
    const props = [
      ['TEMP', 'sea_water_temperature', 'Sea temperature', 'Cel'],
      ['PSAL', 'sea_water_practical_salinity', 'Salinity', '1'],
      ['DOX2', 'moles_of_oxygen_per_unit_mass_in_sea_water', 'Dissolved oxygen', 'umol/kg'],
    ];
    fs.writeFileSync(
      path.join(dir, 'datasets.csv'),
      'dataset_id,station_id,property_code,standard_name,property_label,uom,processing,instrument_family,start,end\n' +
        CODES.map((c, i) => `${c},ST_A,${props[i].join(',')},RAW DATA,SBE56,2024-01-01T00:00:00Z,2024-01-01T01:00:00Z`).join('\n') +
        '\n',
    );
    fs.writeFileSync(
      path.join(dir, 'observations.csv'),
      'dataset_id,time,value,qc\n' + CODES.map((c, i) => `${c},2024-01-01T00:00:00Z,${i + 1}.5,1\n${c},2024-01-01T01:00:00Z,${i + 1}.75,1`).join('\n') + '\n',
    );
    await importDirectory(t.db.store, dir);
  };
  const srv = listeningApp({}, { dbKind: 'empty', prepare: importCodes });

  test('every offering of contents gets its own series back by its gml:id', async () => {
    const out: { id: string; name: string; got: string[]; values: string[] }[] = await runPythonJson(EVERY_OFFERING, [`${srv.base}/sos`]);
    // Offerings come in the database's code order (its collation decides where off_ sorts).
    expect(out.map((o) => o.name).sort()).toEqual([...CODES].sort());
    const id = Object.fromEntries(out.map((o) => [o.name, o.id]));
    expect(new Set(Object.values(id)).size).toBe(CODES.length);
    for (const v of Object.values(id)) expect(v).toMatch(/^[A-Za-z_][A-Za-z0-9_.-]*$/);
    expect(id.ST_TEMP).toBe('ST_TEMP');
    expect(id.off_1A_TEMP).toBe('off_1A_TEMP');
    expect(id['1A_TEMP']).toBe('off_off_1A_TEMP');
    for (const o of out) {
      const i = CODES.indexOf(o.name);
      expect(o.got).toEqual([o.name]);
      expect(o.values).toEqual([`2024-01-01T00:00:00Z,${i + 1}.5,1;2024-01-01T01:00:00Z,${i + 1}.75,1`]);
    }
  });
});
