import { createTestApp, TestApp, textBody } from '../helpers/app';
import { expectValidXml } from '../helpers/xmllint';
import { parseApiKeys } from '../../src/security/apiKey';
import { exceptionOf } from './helpers';
import { insertObservationDoc, insertRecordTemplateDoc, insertResultDoc, insertResultTemplateDoc, insertSensorDoc, Output, RecordField, sml101, sml20, TEMP_URI } from './transactionalDocs';

/*
 * Result templates whose record holds several measured values — time, then one swe:Quantity per
 * observed property, each optionally with its quality flag — as 52°North's sos-importer, OpenSensorHub
 * and istSOS register a multi-parameter instrument: each quantity's definition picks one dataset of the
 * sensor, and InsertResult splits every block into them, all or nothing. Then the accepted forms of an
 * observed property URI in InsertSensor (https, no trailing slash) and the refused NERC P07 form.
 * Requests and responses are validated against the SOS 2.0 / SWE Common 2.0 schemas.
 */

const KEY = 'sos-t-record-key-0123456789';
/** A key limited to a network the test sensors are not in. */
const NET_KEY = 'sos-t-record-other-net-key-0123';
const CF = 'http://vocab.nerc.ac.uk/standard_name/';
const PSAL_URI = `${CF}sea_water_practical_salinity/`;
const PRES_URI = `${CF}sea_water_pressure/`;
const TEMP: Output = { name: 'TEMP', uri: TEMP_URI, uom: 'Cel' };
const PSAL: Output = { name: 'PSAL', uri: PSAL_URI, uom: '1' };
const PRES: Output = { name: 'PRES', uri: PRES_URI, uom: 'dbar' };

/** A CTD of three properties, no offeringID: datasets `<procedure>_<code>`. */
const CTD = { procedure: 'NCL_TEST21_SBE37', station: 'NCL_TEST21', network: 'ReefTEMPS', outputs: [TEMP, PSAL, PRES] };
const [TEMP_DS, PSAL_DS, PRES_DS] = ['NCL_TEST21_SBE37_TEMP', 'NCL_TEST21_SBE37_PSAL', 'NCL_TEST21_SBE37_PRES'];
/** The record time, TEMP, its qc, PSAL, its qc. */
const TEMP_PSAL_QC: RecordField[] = [
  { name: 'TEMP', uri: TEMP_URI, uom: 'Cel' },
  { name: 'TEMP_qc', qc: true },
  { name: 'PSAL', uri: PSAL_URI, uom: '1' },
  { name: 'PSAL_qc', qc: true },
];

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp({ apiKeys: parseApiKeys(`${KEY},${NET_KEY}:OtherNet`) });
});
afterAll(async () => {
  await t.close();
});

const post = (xml: string, key = KEY) => t.http.post('/sos').set('Content-Type', 'application/xml').set('X-API-Key', key).send(xml).buffer(true).parse(textBody);
const get = (q: string) => t.http.get(`/sos?${q}`).buffer(true).parse(textBody);

/** A dataset's stored observations in time order: `time value qc` (value '-' when missing). */
const stored = async (offering: string) =>
  (
    await t.db.store.query<{ r: string }>(
      `SELECT to_char(o.time AT TIME ZONE 'UTC', 'HH24:MI') || ' ' || coalesce(o.value::text, '-') || ' ' || o.qc AS r
         FROM observation o JOIN dataset d ON d.id = o.dataset_id WHERE d.code = $1 ORDER BY o.time`,
      [offering],
    )
  ).rows.map((x) => x.r);
const templates = async (like: string) =>
  (await t.db.store.query<{ id: string }>('SELECT id FROM sos_result_template WHERE id LIKE $1 ORDER BY id', [like])).rows.map((r) => r.id);
/** GetObservation as CSV: the data lines `time,value,qc` of one offering. */
const csv = async (offering: string) => {
  const r = await get(`service=SOS&version=2.0.0&request=GetObservation&offering=${offering}&responseFormat=text/csv`);
  expect(r.status).toBe(200);
  return r.body
    .trim()
    .split('\n')
    .slice(1)
    .map((l: string) => {
      const [o, time, value, qc] = l.split(',');
      expect(o).toBe(offering);
      return `${time.slice(11, 16)} ${value || '-'} ${qc}`;
    });
};

async function expectException(r: { status: number; body: string }, code: string, locator: string): Promise<string> {
  expect(r.status).toBe(400);
  expect(exceptionOf(r.body)).toEqual({ code, locator });
  expectValidXml(r.body, 'ows11');
  return r.body;
}

describe('request documents', () => {
  test('record templates of several quantities validate against SOS 2.0 (with SWE Common 2.0)', () => {
    expectValidXml(insertRecordTemplateDoc(TEMP_DS, CTD.procedure, CTD.station, TEMP_PSAL_QC), 'sos20');
    expectValidXml(insertRecordTemplateDoc(TEMP_DS, CTD.procedure, CTD.station, [TEMP, PSAL, PRES].map((o) => ({ name: o.name, uri: o.uri, uom: o.uom })), { decimalSeparator: ',', tokenSeparator: ';', blockSeparator: '|' }), 'sos20');
  });
});

describe('a CTD sending time, TEMP, qc, PSAL, qc blocks', () => {
  beforeAll(async () => {
    const r = await post(insertSensorDoc(sml20(CTD), undefined, [TEMP_URI, PSAL_URI, PRES_URI]));
    expect(r.status).toBe(200);
  });

  test('a field whose definition is no property of the sensor, a unit other than the stored one, a qc out of place: InvalidParameterValue naming the field, no template', async () => {
    const dox = 'http://vocab.nerc.ac.uk/standard_name/moles_of_oxygen_per_unit_mass_in_sea_water/';
    const body = await expectException(await post(insertRecordTemplateDoc(TEMP_DS, CTD.procedure, CTD.station, [...TEMP_PSAL_QC, { name: 'DOX2', uri: dox, uom: 'umol/kg' }])), 'InvalidParameterValue', 'resultStructure/field[6]');
    expect(body).toContain('field 6 ("DOX2")');
    expect(body).toContain(dox);
    // Its first value's definition is the unknown one: the third field (PSAL, of the sensor) makes it a record of several values.
    await expectException(await post(insertRecordTemplateDoc(TEMP_DS, CTD.procedure, CTD.station, [{ name: 'X', uri: 'http://example.org/x', uom: 'Cel' }, { name: 'PSAL', uri: PSAL_URI, uom: '1' }])), 'InvalidParameterValue', 'resultStructure/field[2]');
    expect(await expectException(await post(insertRecordTemplateDoc(TEMP_DS, CTD.procedure, CTD.station, [{ name: 'TEMP', uri: TEMP_URI, uom: 'Cel' }, { name: 'PSAL', uri: PSAL_URI, uom: 'g/kg' }])), 'InvalidParameterValue', 'resultStructure/field[3]')).toContain('"g/kg"');
    await expectException(await post(insertRecordTemplateDoc(TEMP_DS, CTD.procedure, CTD.station, [{ name: 'TEMP', uri: TEMP_URI, uom: 'Cel' }, { name: 'q1', qc: true }, { name: 'q2', qc: true }, { name: 'PSAL', uri: PSAL_URI, uom: '1' }])), 'InvalidParameterValue', 'resultStructure/field[4]');
    await expectException(await post(insertRecordTemplateDoc(TEMP_DS, CTD.procedure, CTD.station, [{ name: 'TEMP', uri: TEMP_URI, uom: 'Cel' }, { name: 'T2', uri: TEMP_URI, uom: 'Cel' }, { name: 'PSAL', uri: PSAL_URI, uom: '1' }])), 'InvalidParameterValue', 'resultStructure/field[3]');
    // A procedure other than the offering's sensor.
    await expectException(await post(insertRecordTemplateDoc(TEMP_DS, 'NCL_OTHER_SBE37', CTD.station, TEMP_PSAL_QC)), 'InvalidParameterValue', 'resultStructure/field[2]');
    expect(await templates('NCL_TEST21_%')).toEqual([]);
  });

  test('InsertResultTemplate through the assigned offering is accepted; its datasets take no other template', async () => {
    const doc = insertRecordTemplateDoc(TEMP_DS, CTD.procedure, CTD.station, TEMP_PSAL_QC);
    const r = await post(doc);
    expect(r.status).toBe(200);
    expectValidXml(r.body, 'sos20');
    expect(r.body).toContain(`<sos:acceptedTemplate>${TEMP_DS}/template</sos:acceptedTemplate>`);
    // PSAL is this template's: neither a second record (PSAL, PRES) nor a single-value template for it is taken, nor stored.
    const again = [{ name: 'PSAL', uri: PSAL_URI, uom: '1' }, { name: 'PRES', uri: PRES_URI, uom: 'dbar' }];
    await expectException(await post(insertRecordTemplateDoc(PRES_DS, CTD.procedure, CTD.station, again, { id: 'ctd-psal-pres' })), 'InvalidParameterValue', 'proposedTemplate');
    await expectException(await post(insertResultTemplateDoc(TEMP_DS, CTD.procedure, CTD.station, 'ctd-psal', PSAL_URI, '1')), 'InvalidParameterValue', 'proposedTemplate');
    expect(await templates('ctd-%')).toEqual([]);
    // PRES is free: a single-value template for it is accepted as before.
    const pres = await post(insertResultTemplateDoc(TEMP_DS, CTD.procedure, CTD.station, undefined, PRES_URI, 'dbar'));
    expect(pres.status).toBe(200);
    expect(pres.body).toContain(`<sos:acceptedTemplate>${PRES_DS}/template</sos:acceptedTemplate>`);
  });

  test('InsertResult splits each block into TEMP and PSAL (empty and NaN values missing, as one value is); GetObservation reads each property back', async () => {
    const values = ['00:00Z,24.5,1,35.10,1', '00:10Z,,9,35.2,1', '00:20Z,24.7,1,NaN,4', '00:30Z,24.8,,35.3,'].map((b) => `2025-05-01T${b}`).join('@@');
    const doc = insertResultDoc(`${TEMP_DS}/template`, `${values}@@`);
    expectValidXml(doc, 'sos20');
    const r = await post(doc);
    expect(r.status).toBe(200);
    expectValidXml(r.body, 'sos20');
    expect(r.body).toContain('<swe:value>8</swe:value>');
    expect(await stored(TEMP_DS)).toEqual(['00:00 24.5 1', '00:10 - 9', '00:20 24.7 1', '00:30 24.8 0']);
    expect(await stored(PSAL_DS)).toEqual(['00:00 35.1 1', '00:10 35.2 1', '00:20 - 4', '00:30 35.3 0']);
    expect(await stored(PRES_DS)).toEqual([]);
    expect(await csv(TEMP_DS)).toEqual(['00:00 24.5 1', '00:10 - 9', '00:20 24.7 1', '00:30 24.8 0']);
    expect(await csv(PSAL_DS)).toEqual(['00:00 35.1 1', '00:10 35.2 1', '00:20 - 4', '00:30 35.3 0']);
    const om = await get(`service=SOS&version=2.0.0&request=GetObservation&offering=${PSAL_DS}&observedProperty=${encodeURIComponent(PSAL_URI)}`);
    expect(om.status).toBe(200);
    expect(om.body).toContain('35.3');
    expect(om.body).not.toContain('24.8');
    // One run for the request: the one write path took both datasets' rows at once.
    const runs = await t.db.store.query<{ n: number }>(`SELECT observations_inserted AS n FROM import_run WHERE source LIKE 'SOS InsertResult%' ORDER BY id DESC LIMIT 1`);
    expect(Number(runs.rows[0].n)).toBe(8);
  });

  test('a bad block in the middle (a token short, not a number, a repeated time): InvalidParameterValue naming it, nothing of the request stored', async () => {
    const before = [await stored(TEMP_DS), await stored(PSAL_DS)];
    const send = (blocks: string[]) => post(insertResultDoc(`${TEMP_DS}/template`, blocks.map((b) => `2025-05-02T${b}`).join('@@')));
    const short = await expectException(await send(['00:00Z,20.1,1,35.0,1', '00:10Z,20.2,1,35.1', '00:20Z,20.3,1,35.2,1']), 'InvalidParameterValue', 'resultValues');
    expect(short).toContain('block 2: expected 5 tokens');
    expect(short).toContain('found 4; nothing was stored');
    expect(await expectException(await send(['00:00Z,20.1,1,35.0,1', '00:10Z,20.2,1,abc,1', '00:20Z,20.3,1,35.2,1']), 'InvalidParameterValue', 'resultValues')).toContain('block 2: "abc" is not a number');
    expect(await expectException(await send(['00:00Z,20.1,1,35.0,1', '00:10Z,20.2,1,35.1,12', '00:20Z,20.3,1,35.2,1']), 'InvalidParameterValue', 'resultValues')).toContain('block 2: quality flag');
    // Checked by the writer (the COPY path): a time given twice.
    expect(await expectException(await send(['00:00Z,20.1,1,35.0,1', '00:00Z,20.2,1,35.1,1', '00:20Z,20.3,1,35.2,1']), 'InvalidParameterValue', 'resultValues')).toContain('block 2: duplicate observation');
    expect([await stored(TEMP_DS), await stored(PSAL_DS)]).toEqual(before);
    // A key limited to another network: 403, nothing stored.
    const forbidden = await post(insertResultDoc(`${TEMP_DS}/template`, '2025-05-03T00:00:00Z,20.1,1,35.0,1'), NET_KEY);
    expect(forbidden.status).toBe(403);
    expect(exceptionOf(forbidden.body)).toEqual({ code: 'NoApplicableCode', locator: 'template' });
    expect([await stored(TEMP_DS), await stored(PSAL_DS)]).toEqual(before);
  });

  test('the single-value template still reads time,value[,qc]', async () => {
    const r = await post(insertResultDoc(`${PRES_DS}/template`, '2025-05-01T00:00:00Z,10.5,1@@2025-05-01T00:10:00Z,10.6'));
    expect(r.status).toBe(200);
    expect(await stored(PRES_DS)).toEqual(['00:00 10.5 1', '00:10 10.6 0']);
    expect(await expectException(await post(insertResultDoc(`${PRES_DS}/template`, '2025-05-01T00:20:00Z,10.5,1,35')), 'InvalidParameterValue', 'resultValues')).toContain('block 1: expected 3 tokens (time, value, qc), found 4');
  });
});

describe('a declared offeringID, another text encoding, a dataset removed', () => {
  const CTD2 = { procedure: 'NCL_TEST22_SBE37', station: 'NCL_TEST22', network: 'ReefTEMPS', offering: 'TEST22_CTD', outputs: [TEMP, PSAL, PRES] };
  const codes = ['TEST22_CTD_TEMP', 'TEST22_CTD_PSAL', 'TEST22_CTD_PRES'];
  const fields: RecordField[] = [TEMP, PSAL, PRES].map((o) => ({ name: o.name, uri: o.uri, uom: o.uom }));

  test('a template of three values through the offeringID, with ";" "|" and a decimal comma; InsertResult honours them', async () => {
    expect((await post(insertSensorDoc(sml101(CTD2), 'http://www.opengis.net/sensorML/1.0.1', [TEMP_URI, PSAL_URI, PRES_URI]))).status).toBe(200);
    const r = await post(insertRecordTemplateDoc(CTD2.offering, CTD2.procedure, CTD2.station, fields, { id: 'test22-ctd', tokenSeparator: ';', blockSeparator: '|', decimalSeparator: ',' }));
    expect(r.status).toBe(200);
    expect(r.body).toContain('<sos:acceptedTemplate>test22-ctd</sos:acceptedTemplate>');
    const ok = await post(insertResultDoc('test22-ctd', '2025-06-01T00:00:00Z;24,5;35,1;10|2025-06-01T01:00:00Z;24,6;;10,5|'));
    expect(ok.status).toBe(200);
    expect(await stored(codes[0])).toEqual(['00:00 24.5 0', '01:00 24.6 0']);
    expect(await stored(codes[1])).toEqual(['00:00 35.1 0', '01:00 - 0']);
    expect(await stored(codes[2])).toEqual(['00:00 10 0', '01:00 10.5 0']);
    // The token separator splits before the decimal comma is read: a block of too many tokens.
    expect(await expectException(await post(insertResultDoc('test22-ctd', '2025-06-01T02:00:00Z;24,5;35;1;10')), 'InvalidParameterValue', 'resultValues')).toContain('block 1: expected 4 tokens');
  });

  test('a dataset of the template removed since: InsertResult refuses the template, nothing stored', async () => {
    await t.db.store.query('DELETE FROM observation WHERE dataset_id = (SELECT id FROM dataset WHERE code = $1)', [codes[2]]);
    await t.db.store.query('DELETE FROM dataset WHERE code = $1', [codes[2]]);
    await expectException(await post(insertResultDoc('test22-ctd', '2025-06-01T03:00:00Z;24,5;35,1;10')), 'InvalidParameterValue', 'template');
    expect(await stored(codes[0])).toEqual(['00:00 24.5 0', '01:00 24.6 0']);
  });
});

describe('observed property URIs: accepted variants of the CF form, the P07 form refused', () => {
  const S = { procedure: 'NCL_TEST23_SBE37', station: 'NCL_TEST23', network: 'ReefTEMPS' };
  const CPHL = 'mass_concentration_of_chlorophyll_a_in_sea_water';
  const https = (u: string) => u.replace('http://', 'https://');

  test('https, no trailing slash, both: read as the catalogue form, a new property stored so; templates and observations may use the variants', async () => {
    const outputs: Output[] = [
      { ...TEMP, uri: https(TEMP_URI) },
      { ...PSAL, uri: PSAL_URI.slice(0, -1) },
      { name: 'CPHL', uri: `https://vocab.nerc.ac.uk/standard_name/${CPHL}`, uom: 'mg/m3' },
    ];
    const doc = insertSensorDoc(sml20({ ...S, outputs }), undefined, outputs.map((o) => o.uri));
    expectValidXml(doc, 'sos20');
    const r = await post(doc);
    expect(r.status).toBe(200);
    const ds = await t.db.store.query<{ code: string; uri: string }>(
      'SELECT d.code, op.vocabulary_uri AS uri FROM dataset d JOIN sensor se ON se.id = d.sensor_id JOIN observed_property op ON op.id = d.property_id WHERE se.code = $1 ORDER BY d.id',
      [S.procedure],
    );
    expect(ds.rows).toEqual([
      { code: `${S.procedure}_TEMP`, uri: TEMP_URI },
      { code: `${S.procedure}_PSAL`, uri: PSAL_URI },
      { code: `${S.procedure}_CPHL`, uri: `${CF}${CPHL}/` },
    ]);
    // The same sensor with the list in the catalogue form: the same datasets, the same answer.
    const again = await post(insertSensorDoc(sml20({ ...S, outputs }), undefined, [TEMP_URI, PSAL_URI, `${CF}${CPHL}/`]));
    expect(again.body).toBe(r.body);
    // A capabilities read lists the catalogue form only.
    const caps = (await get('service=SOS&request=GetCapabilities&acceptversions=2.0.0&sections=Contents')).body;
    expect(caps).toContain(`<swes:observableProperty>${CF}${CPHL}/</swes:observableProperty>`);
    expect(caps).not.toContain(`https://vocab.nerc.ac.uk/standard_name/${CPHL}`);

    const tmpl = await post(insertRecordTemplateDoc(`${S.procedure}_TEMP`, S.procedure, S.station, [{ name: 'TEMP', uri: https(TEMP_URI), uom: 'Cel' }, { name: 'CPHL', uri: `${CF}${CPHL}`, uom: 'mg/m3' }]));
    expect(tmpl.status).toBe(200);
    expect((await post(insertResultDoc(`${S.procedure}_TEMP/template`, '2025-07-01T00:00:00Z,25.1,0.42'))).status).toBe(200);
    expect(await stored(`${S.procedure}_CPHL`)).toEqual(['00:00 0.42 0']);
    const obs = await post(insertObservationDoc(`${S.procedure}_TEMP`, S.procedure, S.station, [{ time: '2025-07-01T00:00:00Z', value: '35.4', uom: '1' }], PSAL_URI.slice(0, -1)));
    expect(obs.status).toBe(200);
    expect(await stored(`${S.procedure}_PSAL`)).toEqual(['00:00 35.4 0']);
    // Three fields whose third is a swe:Quantity of no property of the sensor: the single-value record, that quantity its qc (as before).
    const qcQuantity = insertResultTemplateDoc(`${S.procedure}_PSAL`, S.procedure, S.station, undefined, PSAL_URI, '1').replace(
      '<swe:Category definition="http://reefgate.org/def/qc"/>',
      '<swe:Quantity definition="http://example.org/def/flag"><swe:uom code="1"/></swe:Quantity>',
    );
    expectValidXml(qcQuantity, 'sos20');
    expect((await post(qcQuantity)).status).toBe(200);
    expect((await post(insertResultDoc(`${S.procedure}_PSAL/template`, '2025-07-01T00:10:00Z,35.5,3'))).status).toBe(200);
    expect(await stored(`${S.procedure}_PSAL`)).toEqual(['00:00 35.4 0', '00:10 35.5 3']);
  });

  test('a new property as a NERC P07 concept, or not lower case: refused naming the accepted forms, nothing stored', async () => {
    const T = { procedure: 'NCL_TEST24_SBE37', station: 'NCL_TEST24', network: 'ReefTEMPS' };
    const p07 = 'http://vocab.nerc.ac.uk/collection/P07/current/CFSN0335/';
    const outputs: Output[] = [TEMP, { name: 'DOXY', uri: p07, uom: 'umol/kg' }];
    const body = await expectException(await post(insertSensorDoc(sml20({ ...T, outputs }), undefined, [TEMP_URI, p07])), 'InvalidParameterValue', 'observableProperty[2]');
    expect(body).toContain('NERC P07');
    expect(body).toContain('http://vocab.nerc.ac.uk/standard_name/NAME/ (http or https, with or without the trailing slash');
    const upper = `https://vocab.nerc.ac.uk/standard_name/Sea_Water_Density`;
    const refused = await expectException(await post(insertSensorDoc(sml20({ ...T, outputs: [TEMP, { name: 'DENS', uri: upper, uom: 'kg/m3' }] }), undefined, [TEMP_URI, upper])), 'InvalidParameterValue', 'observableProperty[2]');
    expect(refused).toContain('with or without the trailing slash');
    expect((await t.db.store.query('SELECT 1 FROM sensor WHERE code = $1', [T.procedure])).rows).toHaveLength(0);
  });
});
