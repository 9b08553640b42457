import { createTestApp, TestApp, textBody } from '../helpers/app';
import { expectValidXml } from '../helpers/xmllint';
import { parseApiKeys } from '../../src/security/apiKey';
import { exceptionOf } from './helpers';
import { deleteSensorDoc, insertObservationDoc, insertResultDoc, insertResultTemplateDoc, insertSensorDoc, sml101, sml20 } from './transactionalDocs';

/*
 * SOS 2.0 transactional operations against the app on a demo database: each operation over POX (and
 * KVP for DeleteSensor), keys, duplicates and corrections, all-or-nothing InsertResult, a deleted
 * sensor, and reads reflecting a write at once. Requests and responses are validated against the
 * SOS 2.0 / SWES 2.0 schemas.
 */

const KEY = 'sos-t-key-0123456789';
const NET_KEY = 'other-net-key-0123456789';
const SENSOR = { procedure: 'NCL_TEST01_SBE37', station: 'NCL_TEST01', offering: 'TEST01_TEMP_0A_SBE37', network: 'ReefTEMPS' };

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp({ apiKeys: parseApiKeys(`${KEY},${NET_KEY}:OtherNet`) });
});
afterAll(async () => {
  await t.close();
});

const post = (xml: string, key: string | null = KEY) => {
  const r = t.http.post('/sos').set('Content-Type', 'application/xml');
  if (key) r.set('X-API-Key', key);
  return r.send(xml).buffer(true).parse(textBody);
};
const get = (q: string, key: string | null = null) => {
  const r = t.http.get(`/sos?${q}`);
  if (key) r.set('Authorization', `Bearer ${key}`);
  return r.buffer(true).parse(textBody);
};
const count = async (offering: string) =>
  Number((await t.db.store.query<{ n: string }>('SELECT count(*) AS n FROM observation o JOIN dataset d ON d.id = o.dataset_id WHERE d.code = $1', [offering])).rows[0].n);

async function expectException(r: { status: number; body: string }, status: number, code: string, locator: string): Promise<string> {
  expect(r.status).toBe(status);
  expect(exceptionOf(r.body)).toEqual({ code, locator });
  expectValidXml(r.body, 'ows11');
  return r.body;
}

describe('request documents', () => {
  test('validate against SOS 2.0 / SWES 2.0 and SensorML', () => {
    expectValidXml(sml20(SENSOR), 'sml20');
    expectValidXml(sml101(SENSOR), 'sml101');
    expectValidXml(insertSensorDoc(sml20(SENSOR)), 'sos20');
    expectValidXml(insertObservationDoc(SENSOR.offering, SENSOR.procedure, SENSOR.station, [{ time: '2025-01-01T00:00:00Z', value: '24.5', qc: 1 }]), 'sos20');
    expectValidXml(insertResultTemplateDoc(SENSOR.offering, SENSOR.procedure, SENSOR.station), 'sos20');
    expectValidXml(insertResultDoc('x', '2025-01-01T00:00:00Z,1,0'), 'sos20');
    expectValidXml(deleteSensorDoc(SENSOR.procedure), 'swes20');
  });
});

describe('authentication', () => {
  test('401 without a key, 403 with a wrong one or one limited to another network; nothing stored', async () => {
    const doc = insertSensorDoc(sml20(SENSOR));
    const r401 = await post(doc, null);
    await expectException(r401, 401, 'NoApplicableCode', 'request');
    expect(r401.headers['www-authenticate']).toMatch(/^Bearer/);
    await expectException(await post(doc, 'not-a-configured-key'), 403, 'NoApplicableCode', 'request');
    await expectException(await post(doc, NET_KEY), 403, 'NoApplicableCode', 'procedureDescription');
    const obs = insertObservationDoc('OUVEA01_TEMP_0A_SBE56', 'NCL_OUVEA01_SBE56', 'NCL_OUVEA01', [{ time: '2025-01-01T00:00:00Z', value: '24' }]);
    await expectException(await post(obs, NET_KEY), 403, 'NoApplicableCode', 'offering');
    expect((await t.db.store.query("SELECT 1 FROM station WHERE code = 'NCL_TEST01'")).rows).toHaveLength(0);
  });

  test('capabilities list the operations and InsertionCapabilities only with API keys', async () => {
    const caps = (await get('service=SOS&request=GetCapabilities&acceptversions=2.0.0')).body;
    expectValidXml(caps, 'sos20');
    for (const op of ['InsertSensor', 'InsertObservation', 'InsertResultTemplate', 'InsertResult', 'DeleteSensor']) expect(caps).toContain(`<ows:Operation name="${op}">`);
    expect(caps).toContain('<sos:InsertionCapabilities>');
    const off = await createTestApp({ apiKeys: [] });
    try {
      const plain = (await off.http.get('/sos?service=SOS&request=GetCapabilities&acceptversions=2.0.0').buffer(true).parse(textBody)).body;
      expect(plain).not.toContain('InsertSensor');
      expect(plain).not.toContain('InsertionCapabilities');
      const r = await off.http.post('/sos').set('X-API-Key', KEY).set('Content-Type', 'application/xml').send(deleteSensorDoc('x')).buffer(true).parse(textBody);
      await expectException(r, 400, 'OperationNotSupported', 'request');
    } finally {
      await off.close();
    }
  });
});

describe('InsertSensor, InsertObservation, InsertResult, DeleteSensor', () => {
  test('InsertSensor (SensorML 2.0) creates station, sensor and dataset; again: the same answer, nothing new', async () => {
    const r = await post(insertSensorDoc(sml20(SENSOR)));
    expect(r.status).toBe(200);
    expectValidXml(r.body, 'swes20');
    expect(r.body).toContain(`<swes:assignedProcedure>${SENSOR.procedure}</swes:assignedProcedure>`);
    expect(r.body).toContain(`<swes:assignedOffering>${SENSOR.offering}</swes:assignedOffering>`);
    const again = await post(insertSensorDoc(sml20(SENSOR)));
    expect(again.body).toBe(r.body);
    const caps = (await get('service=SOS&request=GetCapabilities&acceptversions=2.0.0&sections=Contents')).body;
    expect(caps).toContain(`<swes:identifier>${SENSOR.offering}</swes:identifier>`);
    const ds = (await get(`service=SOS&version=2.0.0&request=DescribeSensor&procedure=${SENSOR.procedure}&proceduredescriptionformat=http://www.opengis.net/sensorml/2.0`));
    expect(ds.status).toBe(200);
  });

  test('InsertSensor with SensorML 1.0.1; an unsupported format and a new station without network are refused', async () => {
    const s = { procedure: 'NCL_TEST02_SBE37', station: 'NCL_TEST02', offering: 'TEST02_TEMP_0A_SBE37', network: 'ReefTEMPS' };
    const r = await post(insertSensorDoc(sml101(s), 'http://www.opengis.net/sensorML/1.0.1'));
    expect(r.status).toBe(200);
    expect(r.body).toContain('<swes:assignedOffering>TEST02_TEMP_0A_SBE37</swes:assignedOffering>');
    await expectException(await post(insertSensorDoc(sml20(s), 'http://example.org/other')), 400, 'InvalidParameterValue', 'procedureDescriptionFormat');
    await expectException(await post(insertSensorDoc(sml20({ ...s, station: 'NCL_TEST03', procedure: 'P3', offering: 'O3', network: undefined }))), 400, 'InvalidParameterValue', 'procedureDescription');
  });

  test('InsertObservation: several per request, then visible in GetObservation, GetDataAvailability and capabilities at once', async () => {
    const doc = insertObservationDoc(SENSOR.offering, SENSOR.procedure, SENSOR.station, [
      { time: '2025-01-01T00:00:00Z', value: '24.5', qc: 1 },
      { time: '2025-01-01T00:30:00Z', value: '24.6' },
    ]);
    const r = await post(doc);
    expect(r.status).toBe(200);
    expectValidXml(r.body, 'sos20');
    expect(await count(SENSOR.offering)).toBe(2);
    const go = await get(`service=SOS&version=2.0.0&request=GetObservation&offering=${SENSOR.offering}&responseFormat=text/csv`);
    expect(go.body).toContain('24.6');
    const gda = await get(`service=SOS&version=2.0.0&request=GetDataAvailability&offering=${SENSOR.offering}`);
    expect(gda.body).toContain('<gda:count>2</gda:count>');
    expect(gda.body).toContain('<gml:endPosition>2025-01-01T00:30:00Z</gml:endPosition>');
    const caps = (await get('service=SOS&request=GetCapabilities&acceptversions=2.0.0&sections=Contents')).body;
    expect(caps).toMatch(new RegExp(`<swes:identifier>${SENSOR.offering}</swes:identifier>[\\s\\S]*?<gml:endPosition>2025-01-01T00:30:00Z</gml:endPosition>`));
  });

  test('a duplicate changes nothing; a correction replaces and is recorded', async () => {
    const runs = async () => Number((await t.db.store.query<{ n: string }>('SELECT count(*) AS n FROM import_run WHERE changed')).rows[0].n);
    const before = await runs();
    const same = insertObservationDoc(SENSOR.offering, SENSOR.procedure, SENSOR.station, [{ time: '2025-01-01T00:00:00Z', value: '24.5', qc: 1 }]);
    expect((await post(same)).status).toBe(200);
    expect(await runs()).toBe(before);
    const fix = insertObservationDoc(SENSOR.offering, SENSOR.procedure, SENSOR.station, [{ time: '2025-01-01T00:00:00Z', value: '24.7', qc: 1 }]);
    expect((await post(fix)).status).toBe(200);
    const c = await t.db.store.query<{ old_value: number; new_value: number; source: string }>(
      `SELECT c.old_value, c.new_value, r.source FROM observation_correction c JOIN dataset d ON d.id = c.dataset_id JOIN import_run r ON r.id = c.import_run_id WHERE d.code = $1`,
      [SENSOR.offering],
    );
    expect(c.rows).toEqual([{ old_value: 24.5, new_value: 24.7, source: expect.stringMatching(/^SOS InsertObservation \(key [0-9a-f]{8}\)$/) }]);
    expect(await count(SENSOR.offering)).toBe(2);
  });

  test('InsertObservation refuses a wrong value type, an unknown offering, a time outside the database range, a wrong unit', async () => {
    const obs = (o: { time?: string; value?: string; uom?: string }) =>
      insertObservationDoc(SENSOR.offering, SENSOR.procedure, SENSOR.station, [{ time: '2025-02-01T00:00:00Z', value: '1' }, { time: o.time ?? '2025-02-01T01:00:00Z', value: o.value ?? '2', uom: o.uom }]);
    await expectException(await post(obs({ value: 'warm' })), 400, 'InvalidParameterValue', 'observation[2]/result');
    await expectException(await post(obs({ time: '10000-01-01T00:00:00Z' })), 400, 'InvalidParameterValue', 'observation[2]/phenomenonTime');
    await expectException(await post(obs({ time: '0000-12-31T00:00:00Z' })), 400, 'InvalidParameterValue', 'observation[2]/phenomenonTime');
    await expectException(await post(obs({ uom: 'K' })), 400, 'InvalidParameterValue', 'observation[2]/result');
    await expectException(await post(insertObservationDoc('NO_SUCH_OFFERING', SENSOR.procedure, SENSOR.station, [{ time: '2025-02-01T00:00:00Z', value: '1' }])), 400, 'InvalidParameterValue', 'offering');
    expect(await count(SENSOR.offering)).toBe(2);
    // Not over KVP: the standard binds InsertObservation to XML only.
    await expectException(await get(`service=SOS&version=2.0.0&request=InsertObservation&offering=${SENSOR.offering}`, KEY), 400, 'OperationNotSupported', 'request');
  });

  test('InsertResultTemplate then InsertResult; a duplicate template, an unknown template, a bad block in the middle', async () => {
    const tr = await post(insertResultTemplateDoc(SENSOR.offering, SENSOR.procedure, SENSOR.station));
    expect(tr.status).toBe(200);
    expectValidXml(tr.body, 'sos20');
    const id = /<sos:acceptedTemplate>([^<]+)</.exec(tr.body)![1];
    expect(id).toBe(`${SENSOR.offering}/template`);
    await expectException(await post(insertResultTemplateDoc(SENSOR.offering, SENSOR.procedure, SENSOR.station, 'another')), 400, 'InvalidParameterValue', 'proposedTemplate');

    const blocks = Array.from({ length: 100 }, (_, i) => `${new Date(Date.UTC(2025, 2, 1) + i * 60_000).toISOString()},${(20 + i / 100).toFixed(2)},1`);
    const bad = [...blocks.slice(0, 50), '2025-03-01T12:00:00Z,warm,1', ...blocks.slice(50)];
    const rb = await expectException(await post(insertResultDoc(id, bad.join('@@'))), 400, 'InvalidParameterValue', 'resultValues');
    expect(rb).toContain('block 51');
    expect(await count(SENSOR.offering)).toBe(2);

    const ok = await post(insertResultDoc(id, `${blocks.join('@@')}@@`));
    expect(ok.status).toBe(200);
    expectValidXml(ok.body, 'sos20');
    expect(await count(SENSOR.offering)).toBe(102);
    // Sent again: nothing changes.
    expect((await post(insertResultDoc(id, blocks.join('@@')))).status).toBe(200);
    expect(await count(SENSOR.offering)).toBe(102);
    await expectException(await post(insertResultDoc('no-such-template', blocks[0])), 400, 'InvalidParameterValue', 'template');
  });

  test('a body over MAX_XML_BODY_BYTES: 413 ExceptionReport, nothing stored', async () => {
    const values = Array.from({ length: 40_000 }, (_, i) => `${new Date(Date.UTC(2026, 0, 1) + i * 60_000).toISOString()},1.0,0`).join('@@');
    const r = await post(insertResultDoc(`${SENSOR.offering}/template`, values));
    await expectException(r, 413, 'InvalidRequest', 'request');
    expect(await count(SENSOR.offering)).toBe(102);
  });

  test('DeleteSensor (KVP) removes its datasets and observations; an observation for it afterwards is refused', async () => {
    await expectException(await get(`service=SOS&version=2.0.0&request=DeleteSensor&procedure=${SENSOR.procedure}`), 401, 'NoApplicableCode', 'request');
    const r = await get(`service=SOS&version=2.0.0&request=DeleteSensor&procedure=${SENSOR.procedure}`, KEY);
    expect(r.status).toBe(200);
    expectValidXml(r.body, 'swes20');
    expect(r.body).toContain(`<swes:deletedProcedure>${SENSOR.procedure}</swes:deletedProcedure>`);
    expect(await count(SENSOR.offering)).toBe(0);
    const caps = (await get('service=SOS&request=GetCapabilities&acceptversions=2.0.0&sections=Contents')).body;
    expect(caps).not.toContain(SENSOR.offering);
    const obs = insertObservationDoc(SENSOR.offering, SENSOR.procedure, SENSOR.station, [{ time: '2025-04-01T00:00:00Z', value: '1' }]);
    await expectException(await post(obs), 400, 'InvalidParameterValue', 'offering');
    await expectException(await post(insertResultDoc(`${SENSOR.offering}/template`, '2025-04-01T00:00:00Z,1,0')), 400, 'InvalidParameterValue', 'template');
    await expectException(await post(deleteSensorDoc(SENSOR.procedure)), 400, 'InvalidParameterValue', 'procedure');
  });

  test('DeleteSensor over POX', async () => {
    const r = await post(deleteSensorDoc('NCL_TEST02_SBE37'));
    expect(r.status).toBe(200);
    expect(r.body).toContain('<swes:deletedProcedure>NCL_TEST02_SBE37</swes:deletedProcedure>');
    expect(await count('TEST02_TEMP_0A_SBE37')).toBe(0);
    expect((await t.db.store.query("SELECT 1 FROM dataset WHERE code = 'TEST02_TEMP_0A_SBE37'")).rows).toHaveLength(0);
  });
});
