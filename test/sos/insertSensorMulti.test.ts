import { createTestApp, TestApp, textBody } from '../helpers/app';
import { expectValidXml } from '../helpers/xmllint';
import { parseApiKeys } from '../../src/security/apiKey';
import { exceptionOf } from './helpers';
import { deleteSensorDoc, insertObservationDoc, insertResultDoc, insertResultTemplateDoc, insertSensorDoc, Output, sml101, sml20, TEMP_URI } from './transactionalDocs';

/*
 * InsertSensor of a multi-parameter instrument (one procedure, several observableProperty and
 * sml:outputs: a CTD) over POX, SensorML 2.0 and 1.0.1: one dataset (offering) per property, the first
 * one answered as assignedOffering and all of them in the response's extension; then InsertObservation
 * and InsertResultTemplate per property through the assigned offering, the declared offeringID or each
 * property's own offering; reads, DescribeSensor, a repeated InsertSensor, DeleteSensor (KVP and POX),
 * and refused property lists. Requests and responses are validated against the SOS 2.0 / SWES 2.0 schemas.
 */

const KEY = 'sos-t-multi-key-0123456789';
const CF = 'http://vocab.nerc.ac.uk/standard_name/';
const PSAL_URI = `${CF}sea_water_practical_salinity/`;
const PRES_URI = `${CF}sea_water_pressure/`;
const DOX2_URI = `${CF}moles_of_oxygen_per_unit_mass_in_sea_water/`;
const TEMP: Output = { name: 'TEMP', uri: TEMP_URI, uom: 'Cel', label: 'Sea temperature' };
const PSAL: Output = { name: 'PSAL', uri: PSAL_URI, uom: '1' };
const PRES: Output = { name: 'PRES', uri: PRES_URI, uom: 'dbar' };
const DOX2: Output = { name: 'DOX2', uri: DOX2_URI, uom: 'umol/kg', label: 'Dissolved oxygen' };

/** SensorML 2.0, no offeringID declared: datasets `<procedure>_<code>`; DOX2 is a new observed property. */
const CTD = { procedure: 'NCL_TEST11_SBE37', station: 'NCL_TEST11', network: 'ReefTEMPS', outputs: [TEMP, PSAL, DOX2] };
const CTD_URIS = [TEMP_URI, PSAL_URI, DOX2_URI];
const CTD_CODES = ['NCL_TEST11_SBE37_TEMP', 'NCL_TEST11_SBE37_PSAL', 'NCL_TEST11_SBE37_DOX2'];
/** SensorML 1.0.1 with a declared offeringID: it is the stem of the datasets' codes. */
const CTD101 = { procedure: 'NCL_TEST12_SBE37', station: 'NCL_TEST12', network: 'ReefTEMPS', offering: 'TEST12_CTD', outputs: [TEMP, PSAL, PRES] };
const CTD101_URIS = [TEMP_URI, PSAL_URI, PRES_URI];
const CTD101_CODES = ['TEST12_CTD_TEMP', 'TEST12_CTD_PSAL', 'TEST12_CTD_PRES'];
const SML101 = 'http://www.opengis.net/sensorML/1.0.1';

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp({ apiKeys: parseApiKeys(KEY) });
});
afterAll(async () => {
  await t.close();
});

const post = (xml: string) => t.http.post('/sos').set('Content-Type', 'application/xml').set('X-API-Key', KEY).send(xml).buffer(true).parse(textBody);
const get = (q: string, key: string | null = null) => {
  const r = t.http.get(`/sos?${q}`);
  if (key) r.set('X-API-Key', key);
  return r.buffer(true).parse(textBody);
};
const count = async (offering: string) =>
  Number((await t.db.store.query<{ n: string }>('SELECT count(*) AS n FROM observation o JOIN dataset d ON d.id = o.dataset_id WHERE d.code = $1', [offering])).rows[0].n);
const sensorDatasets = async (procedure: string) =>
  (
    await t.db.store.query<{ code: string; uri: string; uom: string; processing: string }>(
      `SELECT d.code, op.vocabulary_uri AS uri, op.uom, d.processing_level AS processing FROM dataset d JOIN sensor se ON se.id = d.sensor_id
         JOIN observed_property op ON op.id = d.property_id WHERE se.code = $1 ORDER BY d.id`,
      [procedure],
    )
  ).rows;
const contents = async () => (await get('service=SOS&request=GetCapabilities&acceptversions=2.0.0&sections=Contents')).body;
const csv = async (offering: string) => (await get(`service=SOS&version=2.0.0&request=GetObservation&offering=${offering}&responseFormat=text/csv`)).body;

async function expectException(r: { status: number; body: string }, status: number, code: string, locator: string): Promise<string> {
  expect(r.status).toBe(status);
  expect(exceptionOf(r.body)).toEqual({ code, locator });
  expectValidXml(r.body, 'ows11');
  return r.body;
}

/** The offerings the response's extension lists, by field name. */
function listedOfferings(body: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const m of body.matchAll(/<swe:field name="([^"]+)"><swe:Text definition="urn:ogc:def:identifier:OGC:offeringID"><swe:value>([^<]+)</g)) out[m[1]] = m[2];
  return out;
}

describe('request documents', () => {
  test('multi-output descriptions and InsertSensor validate against SensorML and SOS 2.0 / SWES 2.0', () => {
    expectValidXml(sml20(CTD), 'sml20');
    expectValidXml(sml101(CTD101), 'sml101');
    expectValidXml(insertSensorDoc(sml20(CTD), undefined, CTD_URIS), 'sos20');
    expectValidXml(insertSensorDoc(sml101(CTD101), SML101, CTD101_URIS), 'sos20');
    expectValidXml(insertObservationDoc(CTD_CODES[0], CTD.procedure, CTD.station, [{ time: '2025-01-01T00:00:00Z', value: '35.1' }], PSAL_URI), 'sos20');
    expectValidXml(insertResultTemplateDoc(CTD_CODES[0], CTD.procedure, CTD.station, undefined, PSAL_URI, '1'), 'sos20');
  });
});

describe('SensorML 2.0 CTD: TEMP, PSAL and a new DOX2', () => {
  test('InsertSensor creates one dataset per property and the new property under its URI; answers the first offering and lists all', async () => {
    const r = await post(insertSensorDoc(sml20(CTD), undefined, CTD_URIS));
    expect(r.status).toBe(200);
    expectValidXml(r.body, 'swes20');
    // sos.xsd loads SWE Common too, so the extension's swe:DataRecord is checked against it as well.
    expectValidXml(r.body, 'sos20');
    expect(r.body).toContain(`<swes:assignedProcedure>${CTD.procedure}</swes:assignedProcedure>`);
    expect(r.body).toContain(`<swes:assignedOffering>${CTD_CODES[0]}</swes:assignedOffering>`);
    expect(listedOfferings(r.body)).toEqual({ TEMP: CTD_CODES[0], PSAL: CTD_CODES[1], DOX2: CTD_CODES[2] });
    expect(await sensorDatasets(CTD.procedure)).toEqual([
      { code: CTD_CODES[0], uri: TEMP_URI, uom: 'Cel', processing: 'RAW DATA' },
      { code: CTD_CODES[1], uri: PSAL_URI, uom: '1', processing: 'RAW DATA' },
      { code: CTD_CODES[2], uri: DOX2_URI, uom: 'umol/kg', processing: 'RAW DATA' },
    ]);
    const dox2 = await t.db.store.query('SELECT code, standard_name, vocabulary_uri, label, uom FROM observed_property WHERE vocabulary_uri = $1', [DOX2_URI]);
    expect(dox2.rows).toEqual([{ code: 'DOX2', standard_name: 'moles_of_oxygen_per_unit_mass_in_sea_water', vocabulary_uri: DOX2_URI, label: 'Dissolved oxygen', uom: 'umol/kg' }]);

    const caps = await contents();
    for (const [i, code] of CTD_CODES.entries()) {
      expect(caps).toMatch(new RegExp(`<swes:identifier>${code}</swes:identifier>[\\s\\S]*?<swes:procedure>${CTD.procedure}</swes:procedure>[\\s\\S]*?<swes:observableProperty>${CTD_URIS[i]}</swes:observableProperty>`));
    }
  });

  test('the same InsertSensor again: the same answer, nothing new; with the properties reordered: the same datasets', async () => {
    const runs = async () => Number((await t.db.store.query<{ n: string }>('SELECT count(*) AS n FROM import_run WHERE changed')).rows[0].n);
    const first = await post(insertSensorDoc(sml20(CTD), undefined, CTD_URIS));
    const before = await runs();
    const again = await post(insertSensorDoc(sml20(CTD), undefined, CTD_URIS));
    expect(again.status).toBe(200);
    expect(again.body).toBe(first.body);
    expect(await runs()).toBe(before);
    const reordered = await post(insertSensorDoc(sml20(CTD), undefined, [PSAL_URI, DOX2_URI, TEMP_URI]));
    expect(reordered.status).toBe(200);
    expect(reordered.body).toContain(`<swes:assignedOffering>${CTD_CODES[1]}</swes:assignedOffering>`);
    expect((await sensorDatasets(CTD.procedure)).map((d) => d.code)).toEqual(CTD_CODES);
  });

  test('InsertObservation: TEMP and PSAL through the assigned offering (as 52°North clients send them), PSAL through its own; GetObservation reads them back', async () => {
    const doc = insertObservationDoc(CTD_CODES[0], CTD.procedure, CTD.station, [
      { time: '2025-01-01T00:00:00Z', value: '24.5' },
      { time: '2025-01-01T00:00:00Z', value: '35.12', uom: '1', property: PSAL_URI },
    ]);
    expectValidXml(doc, 'sos20');
    const r = await post(doc);
    expect(r.status).toBe(200);
    expectValidXml(r.body, 'sos20');
    const own = await post(insertObservationDoc(CTD_CODES[1], CTD.procedure, CTD.station, [{ time: '2025-01-01T00:30:00Z', value: '35.14', uom: '1' }], PSAL_URI));
    expect(own.status).toBe(200);
    expect([await count(CTD_CODES[0]), await count(CTD_CODES[1]), await count(CTD_CODES[2])]).toEqual([1, 2, 0]);
    expect(await csv(CTD_CODES[0])).toContain('24.5');
    const psal = await csv(CTD_CODES[1]);
    expect(psal).toContain('35.12');
    expect(psal).toContain('35.14');
    expect(psal).not.toContain('24.5');
    // A property the sensor does not observe, and a PSAL value in TEMP's unit, are refused; nothing stored.
    await expectException(await post(insertObservationDoc(CTD_CODES[0], CTD.procedure, CTD.station, [{ time: '2025-01-02T00:00:00Z', value: '1' }], PRES_URI)), 400, 'InvalidParameterValue', 'observation[1]/procedure');
    await expectException(await post(insertObservationDoc(CTD_CODES[0], CTD.procedure, CTD.station, [{ time: '2025-01-02T00:00:00Z', value: '1', uom: 'Cel' }], PSAL_URI)), 400, 'InvalidParameterValue', 'observation[1]/result');
    expect(await count(CTD_CODES[1])).toBe(2);
  });

  test('InsertResultTemplate per property through the assigned offering, then InsertResult into PSAL', async () => {
    const temp = await post(insertResultTemplateDoc(CTD_CODES[0], CTD.procedure, CTD.station));
    expect(temp.status).toBe(200);
    expect(temp.body).toContain(`<sos:acceptedTemplate>${CTD_CODES[0]}/template</sos:acceptedTemplate>`);
    const psal = await post(insertResultTemplateDoc(CTD_CODES[0], CTD.procedure, CTD.station, undefined, PSAL_URI, '1'));
    expect(psal.status).toBe(200);
    expectValidXml(psal.body, 'sos20');
    expect(psal.body).toContain(`<sos:acceptedTemplate>${CTD_CODES[1]}/template</sos:acceptedTemplate>`);
    await expectException(await post(insertResultTemplateDoc(CTD_CODES[0], CTD.procedure, CTD.station, undefined, PRES_URI, 'dbar')), 400, 'InvalidParameterValue', 'observationTemplate');
    const ok = await post(insertResultDoc(`${CTD_CODES[1]}/template`, '2025-01-01T01:00:00Z,35.2,1@@2025-01-01T01:30:00Z,35.3,1'));
    expect(ok.status).toBe(200);
    expect([await count(CTD_CODES[0]), await count(CTD_CODES[1])]).toEqual([1, 4]);
  });

  test('DescribeSensor describes the procedure with its three outputs', async () => {
    for (const [format, schema] of [['http://www.opengis.net/sensorml/2.0', 'sml20'], [SML101, 'sml101']] as const) {
      const r = await get(`service=SOS&version=2.0.0&request=DescribeSensor&procedure=${CTD.procedure}&proceduredescriptionformat=${encodeURIComponent(format)}`);
      expect(r.status).toBe(200);
      expectValidXml(r.body, 'swes20');
      const sml = /<swes:data>([\s\S]*)<\/swes:data>/.exec(r.body)![1];
      expectValidXml(sml, schema);
      for (const uri of CTD_URIS) expect(sml).toContain(`definition="${uri}"`);
    }
  });

  test('DeleteSensor (KVP) removes every dataset of the procedure, their observations and templates', async () => {
    const r = await get(`service=SOS&version=2.0.0&request=DeleteSensor&procedure=${CTD.procedure}`, KEY);
    expect(r.status).toBe(200);
    expectValidXml(r.body, 'swes20');
    expect(await sensorDatasets(CTD.procedure)).toEqual([]);
    expect((await t.db.store.query('SELECT 1 FROM dataset WHERE code = ANY($1)', [CTD_CODES])).rows).toHaveLength(0);
    expect((await t.db.store.query('SELECT 1 FROM sos_result_template WHERE id LIKE $1', ['NCL_TEST11_SBE37_%'])).rows).toHaveLength(0);
    const caps = await contents();
    for (const code of CTD_CODES) expect(caps).not.toContain(code);
    await expectException(await post(insertObservationDoc(CTD_CODES[1], CTD.procedure, CTD.station, [{ time: '2025-02-01T00:00:00Z', value: '35' }], PSAL_URI)), 400, 'InvalidParameterValue', 'offering');
    await expectException(await get(`service=SOS&version=2.0.0&request=DescribeSensor&procedure=${CTD.procedure}&proceduredescriptionformat=http://www.opengis.net/sensorml/2.0`), 400, 'InvalidParameterValue', 'procedure');
    // The observed property created for it stays, as DeleteSensor documents.
    expect((await t.db.store.query('SELECT 1 FROM observed_property WHERE code = $1', ['DOX2'])).rows).toHaveLength(1);
  });
});

describe('SensorML 1.0.1 CTD with a declared offeringID', () => {
  test('InsertSensor: the offeringID is the stem of the three datasets; observations sent to it, or to the assigned offering, find their property', async () => {
    const r = await post(insertSensorDoc(sml101(CTD101), SML101, CTD101_URIS));
    expect(r.status).toBe(200);
    expectValidXml(r.body, 'sos20');
    expect(r.body).toContain(`<swes:assignedOffering>${CTD101_CODES[0]}</swes:assignedOffering>`);
    expect(listedOfferings(r.body)).toEqual({ TEMP: CTD101_CODES[0], PSAL: CTD101_CODES[1], PRES: CTD101_CODES[2] });
    expect((await sensorDatasets(CTD101.procedure)).map((d) => d.code)).toEqual(CTD101_CODES);
    expect((await t.db.store.query('SELECT code FROM station WHERE code = $1', [CTD101.station])).rows).toHaveLength(1);

    const pres = await post(insertObservationDoc(CTD101.offering, CTD101.procedure, CTD101.station, [{ time: '2025-03-01T00:00:00Z', value: '10.5', uom: 'dbar' }], PRES_URI));
    expect(pres.status).toBe(200);
    const psal = await post(insertObservationDoc(CTD101_CODES[0], CTD101.procedure, CTD101.station, [{ time: '2025-03-01T00:00:00Z', value: '34.9', uom: '1' }], PSAL_URI));
    expect(psal.status).toBe(200);
    expect(await csv(CTD101_CODES[2])).toContain('10.5');
    expect(await csv(CTD101_CODES[1])).toContain('34.9');
    expect(await count(CTD101_CODES[0])).toBe(0);
    // Through the stem an observation must say which property it is: the three datasets all match otherwise.
    const bare = insertObservationDoc(CTD101.offering, CTD101.procedure, CTD101.station, [{ time: '2025-03-01T01:00:00Z', value: '1' }]).replace(/<om:observedProperty[^>]*\/>/, '');
    await expectException(await post(bare), 400, 'InvalidParameterValue', 'observation[1]/procedure');

    const again = await post(insertSensorDoc(sml101(CTD101), SML101, CTD101_URIS));
    expect(again.body).toBe(r.body);
    const ds = await get(`service=SOS&version=2.0.0&request=DescribeSensor&procedure=${CTD101.procedure}&proceduredescriptionformat=${encodeURIComponent(SML101)}`);
    expect(ds.status).toBe(200);
    for (const uri of CTD101_URIS) expect(ds.body).toContain(`definition="${uri}"`);
  });

  test('DeleteSensor (POX) removes the three datasets', async () => {
    const r = await post(deleteSensorDoc(CTD101.procedure));
    expect(r.status).toBe(200);
    expect(await sensorDatasets(CTD101.procedure)).toEqual([]);
    for (const code of CTD101_CODES) expect(await count(code)).toBe(0);
    await expectException(await post(insertObservationDoc(CTD101.offering, CTD101.procedure, CTD101.station, [{ time: '2025-04-01T00:00:00Z', value: '1', uom: 'dbar' }], PRES_URI)), 400, 'InvalidParameterValue', 'offering');
    await expectException(await post(deleteSensorDoc(CTD101.procedure)), 400, 'InvalidParameterValue', 'procedure');
  });
});

describe('refused property lists: the exception names the observableProperty, nothing is stored', () => {
  const S = { procedure: 'NCL_TEST13_SBE37', station: 'NCL_TEST13', network: 'ReefTEMPS' };
  // A property no test creates (DOX2 stays after its sensor is deleted).
  const CPHL: Output = { name: 'CPHL', uri: `${CF}mass_concentration_of_chlorophyll_a_in_sea_water/`, uom: 'mg/m3' };
  const refused = async (outputs: Output[], uris: string[], code: string, locator: string) => {
    const body = await expectException(await post(insertSensorDoc(sml20({ ...S, outputs }), undefined, uris)), 400, code, locator);
    expect((await t.db.store.query('SELECT 1 FROM station WHERE code = $1', [S.station])).rows).toHaveLength(0);
    expect((await t.db.store.query('SELECT 1 FROM sensor WHERE code = $1', [S.procedure])).rows).toHaveLength(0);
    return body;
  };

  test('a new property outside the CF vocabulary, or with an upper-case name (the https and slash-less forms are accepted: insertResultMulti.test.ts)', async () => {
    const other = 'http://example.org/phenomena/oxygen';
    expect(await refused([TEMP, { ...CPHL, uri: other }], [TEMP_URI, other], 'InvalidParameterValue', 'observableProperty[2]')).toContain('CF standard name URI');
    const upper = `${CF}Moles_Of_Oxygen/`;
    await refused([TEMP, PSAL, { ...CPHL, uri: upper }], [TEMP_URI, PSAL_URI, upper], 'InvalidParameterValue', 'observableProperty[3]');
  });

  test('a new property whose code cannot be derived: no output, an output name that is no code, a code taken by another URI, two properties of one code', async () => {
    expect(await refused([TEMP], [TEMP_URI, CPHL.uri], 'InvalidParameterValue', 'observableProperty[2]')).toContain('needs an sml:output');
    expect(await refused([TEMP, { ...CPHL, name: 'O2 (µmol/kg)' }], [TEMP_URI, CPHL.uri], 'InvalidParameterValue', 'observableProperty[2]')).toContain('cannot be derived');
    const sst = `${CF}sea_surface_temperature/`;
    expect(await refused([PSAL, { ...TEMP, uri: sst }], [PSAL_URI, sst], 'InvalidParameterValue', 'observableProperty[2]')).toContain('"TEMP"');
    await refused([TEMP, { ...CPHL, name: 'TEMP' }], [TEMP_URI, CPHL.uri], 'InvalidParameterValue', 'observableProperty[2]');
    const chl = { ...CPHL, name: 'CHL', uri: `${CF}mass_concentration_of_chlorophyll_in_sea_water/` };
    expect(await refused([{ ...CPHL, name: 'CHL' }, chl], [CPHL.uri, chl.uri], 'InvalidParameterValue', 'observableProperty[2]')).toContain('would both have code "CHL"');
    expect((await t.db.store.query('SELECT 1 FROM observed_property WHERE vocabulary_uri = ANY($1)', [[sst, CPHL.uri, chl.uri]])).rows).toHaveLength(0);
  });

  test('an empty observableProperty, none at all, a unit other than the stored one', async () => {
    await refused([TEMP, PSAL], [TEMP_URI, ''], 'InvalidParameterValue', 'observableProperty[2]');
    await refused([TEMP], [], 'MissingParameterValue', 'observableProperty');
    await refused([TEMP, { ...PSAL, uom: 'g/kg' }], [TEMP_URI, PSAL_URI], 'InvalidParameterValue', 'procedureDescription');
  });
});
