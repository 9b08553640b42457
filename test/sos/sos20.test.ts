import { createTestApp, TestApp, textBody } from '../helpers/app';
import { expectValidXml } from '../helpers/xmllint';
import { countOf, demoRows, exceptionOf, SOS_SAMS_XSD } from './helpers';

const OFF = 'OUVEA01_TEMP_0A_SBE56';
const PROC = 'NCL_OUVEA01_SBE56';
const PROP = 'http://vocab.nerc.ac.uk/standard_name/sea_water_temperature/';
const FOI = 'NCL_OUVEA01';
const FEB = 'om:phenomenonTime,2024-02-01T00:00:00Z/2024-02-08T00:00:00Z';

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
});
afterAll(async () => {
  await t.close();
});

// Plain bytes: the documents and their lengths are checked here, content codings in test/http/caching.test.ts.
const get = (q: string) => t.http.get(`/sos?${q}`).set('Accept-Encoding', 'identity').buffer(true).parse(textBody);
const post = (xml: string) => t.http.post('/sos').set('Content-Type', 'application/xml').send(xml).buffer(true).parse(textBody);

async function expectError(q: string, code: string, locator: string) {
  const r = await get(q);
  expect(r.status).toBe(code === 'NoApplicableCode' ? 500 : 400);
  expect(r.headers['content-type']).toMatch(/xml/);
  expect(exceptionOf(r.body)).toEqual({ code, locator });
  expectValidXml(r.body, 'ows11');
}

describe('GetCapabilities 2.0.0', () => {
  test('validates, lists every dataset as an offering with the fields harvesters read', async () => {
    const r = await get('service=SOS&request=GetCapabilities&acceptversions=2.0.0');
    expect(r.status).toBe(200);
    expectValidXml(r.body, 'sos20');
    expect(countOf(r.body, '<sos:ObservationOffering>')).toBe(55);
    for (const op of ['GetCapabilities', 'DescribeSensor', 'GetObservation']) expect(countOf(r.body, `<ows:Operation name="${op}">`)).toBe(1);
    expect(r.body).toContain(`<swes:identifier>${OFF}</swes:identifier>`);
    // The XML size limit (SOS_MAX_XML_BYTES, default 50 MB) advertised per format, in observations.
    expect(r.body).toContain('<ows:Constraint name="MaxObservations http://www.opengis.net/om/2.0"><ows:AllowedValues><ows:Range><ows:MinimumValue>0</ows:MinimumValue><ows:MaximumValue>43478</ows:MaximumValue>');
    expect(r.body).toContain('<ows:Constraint name="MaxObservations http://www.opengis.net/waterml/2.0"><ows:AllowedValues><ows:Range><ows:MinimumValue>0</ows:MinimumValue><ows:MaximumValue>312500</ows:MaximumValue>');
    expect(r.body).toContain('<fes:SpatialOperator name="BBOX"/>');
    for (const op of ['During', 'TEquals', 'After', 'Before']) expect(r.body).toContain(`<fes:TemporalOperator name="${op}"/>`);
    // phenomenonTime of the offering = first and last imported times.
    expect(r.body).toMatch(new RegExp(`<swes:identifier>${OFF}</swes:identifier>.*?<gml:beginPosition>2024-01-23T06:00:00Z</gml:beginPosition>`));
    // At least one GetObservationById id is advertised and it resolves.
    const id = /<ows:Parameter name="observation"><ows:AllowedValues><ows:Value>([^<]+)<\/ows:Value>/.exec(r.body)![1];
    const byId = await get(`service=SOS&version=2.0.0&request=GetObservationById&observation=${encodeURIComponent(id)}`);
    expect(countOf(byId.body, '<om:OM_Observation ')).toBe(1);
    expect(r.body).toMatch(/updateSequence="\d{4}-\d\d-\d\dT[^"]+"/);
    expect(r.body).not.toMatch(/\/sos\?/); // R4: DCP hrefs carry no '?'
  });

  test('sections returns only those; AcceptVersions negotiates; updateSequence follows the imports', async () => {
    const r = await get('service=SOS&request=GetCapabilities&sections=ServiceIdentification,OperationsMetadata');
    expectValidXml(r.body, 'sos20');
    expect(r.body).toContain('<ows:ServiceIdentification>');
    expect(r.body).toContain('<ows:OperationsMetadata>');
    expect(r.body).not.toContain('<ows:ServiceProvider>');
    expect(r.body).not.toContain('<sos:contents>');
    const v1 = await get('service=SOS&request=GetCapabilities&AcceptVersions=1.0.0');
    expect(v1.body).toContain('xmlns:sos="http://www.opengis.net/sos/1.0"');
    const seq = /updateSequence="([^"]+)"/.exec(r.body)![1];
    const same = await get(`service=SOS&request=GetCapabilities&updateSequence=${encodeURIComponent(seq)}`);
    expect(same.body).not.toContain('<ows:ServiceIdentification>');
    await expectError('service=SOS&request=GetCapabilities&updateSequence=9999-01-01T00:00:00.000Z', 'InvalidUpdateSequence', 'updateSequence');
    await t.db.store.query(`INSERT INTO import_run (source, finished_at, changed) VALUES ('test', now() + interval '1 minute', true)`);
    const after = await get('service=SOS&request=GetCapabilities&sections=OperationsMetadata');
    expect(/updateSequence="([^"]+)"/.exec(after.body)![1] > seq).toBe(true);
  });

  test('the exception cases of the conformance suite', async () => {
    await expectError('service=ASDF&request=GetCapabilities', 'InvalidParameterValue', 'service');
    await expectError('request=GetCapabilities', 'MissingParameterValue', 'service');
    await expectError('service=SOS&request=GetCapabilities&acceptversions=2000.01.01', 'VersionNegotiationFailed', 'AcceptVersions');
    await expectError('service=SOS&request=GetCapabilities&sections=WrongSections', 'InvalidParameterValue', 'sections');
  });
});

describe('DescribeSensor', () => {
  const base = `service=SOS&version=2.0.0&request=DescribeSensor&procedure=${PROC}`;
  test.each([
    ['http://www.opengis.net/sensorml/2.0', 'sml20', '<sml:PhysicalComponent'],
    ['http://www.opengis.net/sensorML/1.0.1', 'sml101', '<sml:SensorML'],
  ])('%s: valid swes response, valid SensorML from the database', async (fmt, schema, root) => {
    const r = await get(`${base}&procedureDescriptionFormat=${encodeURIComponent(fmt)}`);
    expect(r.status).toBe(200);
    expectValidXml(r.body, 'swes20');
    const sml = r.body.slice(r.body.indexOf('<swes:data>') + 11, r.body.indexOf('</swes:data>'));
    expect(sml.startsWith(root)).toBe(true);
    expectValidXml(sml, schema);
    expect(sml).toContain('SBE56');
    expect(sml).toContain('-20.548883');
    expect(sml).toContain('code="Cel"');
    expect(sml).toContain(PROP);
  });

  test('missing and invalid parameters', async () => {
    const fmt = 'procedureDescriptionFormat=http://www.opengis.net/sensorml/2.0';
    await expectError(`version=2.0.0&request=DescribeSensor&procedure=${PROC}&${fmt}`, 'MissingParameterValue', 'service');
    await expectError(`service=&version=2.0.0&request=DescribeSensor&procedure=${PROC}&${fmt}`, 'MissingParameterValue', 'service');
    await expectError(`service=SOS&request=DescribeSensor&procedure=${PROC}&${fmt}`, 'MissingParameterValue', 'version');
    await expectError(`service=SOS&version=&request=DescribeSensor&procedure=${PROC}&${fmt}`, 'MissingParameterValue', 'version');
    await expectError(`service=SOS&version=9.9.9&request=DescribeSensor&procedure=${PROC}&${fmt}`, 'InvalidParameterValue', 'version');
    await expectError(`service=SOS&version=2.0.0&request=DescribeSensor&${fmt}`, 'MissingParameterValue', 'procedure');
    await expectError(`service=SOS&version=2.0.0&request=DescribeSensor&procedure=&${fmt}`, 'MissingParameterValue', 'procedure');
    await expectError(`service=SOS&version=2.0.0&request=DescribeSensor&procedure=NOPE&${fmt}`, 'InvalidParameterValue', 'procedure');
    await expectError(`service=SOS&version=2.0.0&request=DescribeSensor&procedure=${PROC}`, 'MissingParameterValue', 'procedureDescriptionFormat');
    await expectError(`service=SOS&version=2.0.0&request=DescribeSensor&procedure=${PROC}&procedureDescriptionFormat=`, 'MissingParameterValue', 'procedureDescriptionFormat');
    await expectError(`service=SOS&version=2.0.0&request=DescribeSensor&procedure=${PROC}&procedureDescriptionFormat=foo`, 'InvalidParameterValue', 'procedureDescriptionFormat');
  });
});

describe('GetObservation 2.0.0', () => {
  const base = `service=SOS&version=2.0.0&request=GetObservation&offering=${OFF}&procedure=${PROC}&observedProperty=${encodeURIComponent(PROP)}`;

  test('O&M 2.0 measurements validate (SOS + sampling schemas) and carry the right values', async () => {
    const r = await get(`${base}&temporalFilter=${FEB}`);
    expect(r.status).toBe(200);
    expectValidXml(r.body, 'sos20');
    expectValidXml(r.body, SOS_SAMS_XSD);
    const n = countOf(r.body, '<om:OM_Observation ');
    expect(n).toBeGreaterThan(50);
    expect(countOf(r.body, 'xsi:type="gml:MeasureType" uom="Cel"')).toBe(n);
    expect(r.body).toContain(`<gml:identifier codeSpace="http://www.opengis.net/def/nil/OGC/0/unknown">${OFF}/1706745600</gml:identifier>`);
  });

  test('WaterML 2.0 time series: one observation per offering with TVPs', async () => {
    const r = await get(`${base}&temporalFilter=${FEB}&responseFormat=${encodeURIComponent('http://www.opengis.net/waterml/2.0')}`);
    expect(r.status).toBe(200);
    expectValidXml(r.body, 'sos20');
    expect(countOf(r.body, '<wml2:MeasurementTimeseries ')).toBe(1);
    expect(r.body).toContain('<wml2:DefaultTVPMeasurementMetadata><wml2:uom code="Cel"/>');
    expect(countOf(r.body, '<wml2:MeasurementTVP>')).toBeGreaterThan(50);
  });

  test('raw (unencoded) and percent-encoded values, case-insensitive names (R1)', async () => {
    const a = await get(`SERVICE=SOS&VERSION=2.0.0&REQUEST=GetObservation&OFFERING=${OFF}&TEMPORALFILTER=${FEB}&RESPONSEFORMAT=text/csv`);
    const b = await get(`service=SOS&version=2.0.0&request=GetObservation&offering=${OFF}&temporalFilter=${encodeURIComponent(FEB)}&responseFormat=text%2Fcsv`);
    expect(a.status).toBe(200);
    expect(a.body).toBe(b.body);
    expect(a.body.split('\n')[0]).toBe('offering,time,value,qc');
  });

  test('temporal operators: TEquals, After, Before, latest, first', async () => {
    const csv = async (tf: string): Promise<string[]> => (await get(`service=SOS&version=2.0.0&request=GetObservation&offering=${OFF}&responseFormat=text/csv&temporalFilter=${encodeURIComponent(tf)}`)).body.trim().split('\n').slice(1);
    expect(await csv('om:phenomenonTime,2024-02-01T00:00:00Z')).toEqual([`${OFF},2024-02-01T00:00:00Z,26.0281,1`]);
    const after = await csv('om:phenomenonTime,After,2024-12-31T00:00:00Z');
    expect(after.length).toBeGreaterThan(0);
    expect(after.every((l) => l.split(',')[1] > '2024-12-31T00:00:00Z')).toBe(true);
    const before = await csv('om:phenomenonTime,Before,2024-01-23T10:00:00Z');
    expect(before.map((l) => l.split(',')[1])).toEqual(['2024-01-23T06:00:00Z', '2024-01-23T08:00:00Z']);
    expect((await csv('om:phenomenonTime,latest')).map((l) => l.split(',')[1])).toEqual(['2024-12-31T22:00:00Z']);
    expect((await csv('om:phenomenonTime,first')).map((l) => l.split(',')[1])).toEqual(['2024-01-23T06:00:00Z']);
  });

  test('latest with no offering: one point for every dataset (the portal view), as JSON', async () => {
    const r = await get('service=SOS&version=2.0.0&request=GetObservation&temporalFilter=om:phenomenonTime,latest&responseFormat=application/json');
    expect(r.status).toBe(200);
    const doc = JSON.parse(r.body);
    expect(doc.series).toHaveLength(55);
    for (const s of doc.series) expect(s.points).toHaveLength(1);
    const { rows } = await t.db.store.query<{ code: string; t: string }>(
      `SELECT d.code, to_char(max(o.time) AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"') AS t FROM dataset d JOIN observation o ON o.dataset_id = d.id GROUP BY d.code`,
    );
    const expected = Object.fromEntries(rows.map((x) => [x.code, x.t]));
    for (const s of doc.series) expect(s.points[0][0]).toBe(expected[s.offering]);
  });

  test('quality-flag filter (qualityFlag / qc)', async () => {
    const { rows } = await t.db.store.query<{ qc: number; n: number }>(`SELECT qc, count(*)::int AS n FROM observation o JOIN dataset d ON d.id = o.dataset_id WHERE d.code = $1 GROUP BY qc`, [OFF]);
    const r = await get(`service=SOS&version=2.0.0&request=GetObservation&offering=${OFF}&responseFormat=text/csv&qualityFlag=1,2`);
    const lines: string[] = r.body.trim().split('\n').slice(1);
    expect(lines.length).toBe(rows.filter((x) => x.qc === 1 || x.qc === 2).reduce((a, x) => a + x.n, 0));
    expect(lines.every((l) => l.endsWith(',1') || l.endsWith(',2'))).toBe(true);
    await expectError(`service=SOS&version=2.0.0&request=GetObservation&offering=${OFF}&qc=x`, 'InvalidParameterValue', 'qc');
  });

  test('spatialFilter selects by station position; a temporalFilter matching nothing gives an empty response', async () => {
    const r = await get(`service=SOS&version=2.0.0&request=GetObservation&responseFormat=application/json&temporalFilter=om:phenomenonTime,latest&spatialFilter=om:featureOfInterest/*/sams:shape,-20.6,166.5,-20.5,166.6,urn:ogc:def:crs:EPSG::4326`);
    const doc = JSON.parse(r.body);
    expect(doc.series.length).toBeGreaterThan(0);
    expect(doc.series.every((s: { featureOfInterest: string }) => s.featureOfInterest === FOI)).toBe(true);
    const empty = await get(`${base}&temporalFilter=om:phenomenonTime,1990-01-01T00:00:00Z/1990-02-01T00:00:00Z`);
    expect(empty.status).toBe(200);
    expectValidXml(empty.body, 'sos20');
    expect(empty.body).toMatch(/<sos:GetObservationResponse [^>]*>\s*<\/sos:GetObservationResponse>$/);
  });

  test('empty and invalid parameters give MissingParameterValue / InvalidParameterValue with the parameter as locator', async () => {
    const b = 'service=SOS&version=2.0.0&request=GetObservation';
    for (const p of ['offering', 'procedure', 'observedProperty', 'featureOfInterest', 'temporalFilter', 'responseFormat', 'spatialFilter']) {
      await expectError(`${b}&${p}=`, 'MissingParameterValue', p);
    }
    for (const p of ['offering', 'procedure', 'observedProperty', 'featureOfInterest', 'responseFormat']) {
      await expectError(`${b}&${p}=nonsense`, 'InvalidParameterValue', p);
    }
    await expectError(`${b}&offering=${OFF}&temporalFilter=om:phenomenonTime,notatime`, 'InvalidParameterValue', 'temporalFilter');
    await expectError(`${b}&spatialFilter=,0.0,10.0,0.0,10.0,urn:ogc:def:crs:EPSG::4326`, 'MissingParameterValue', 'ValueReference');
    await expectError(`${b}&offering=${OFF}&downsample=5`, 'InvalidParameterValue', 'downsample');
  });

  test('XML encodings above SOS_MAX_XML_BYTES (per-format observation limit) answer ResponseExceedsSizeLimit with locator; CSV streams anyway', async () => {
    const small = await createTestApp({ maxXmlBytes: 100_000 });
    try {
      const r = await small.http.get(`/sos?${base}`);
      expect(r.status).toBe(400);
      expect(exceptionOf(r.text).code).toBe('ResponseExceedsSizeLimit');
      expect(exceptionOf(r.text).locator).toBe('GetObservation');
      // WaterML 2.0 is ~7x denser than O&M 2.0, so its limit is higher (625 at 100 kB): the whole offering exceeds it.
      const w = await small.http.get(`/sos?${base}&responseFormat=${encodeURIComponent('http://www.opengis.net/waterml/2.0')}`);
      expect(exceptionOf(w.text).code).toBe('ResponseExceedsSizeLimit');
      const ok = await small.http.get(`/sos?${base}&temporalFilter=${encodeURIComponent('om:phenomenonTime,2024-02-01T00:00:00Z/2024-02-01T10:00:00Z')}`);
      expect(ok.status).toBe(200);
      const csv = await small.http.get(`/sos?${base}&responseFormat=text/csv`);
      expect(csv.status).toBe(200);
      expect(csv.text.trim().split('\n').length - 1).toBe(4125);
    } finally {
      await small.close();
    }
  });

  test('a filtered XML answer over the limit is refused before its first byte, whether its first batch or a count statement tells', async () => {
    const small = await createTestApp({ maxXmlBytes: 100_000 });
    const fetchText = (q: string) => small.http.get(`/sos?${q}`).buffer(true).parse(textBody);
    try {
      const rows = demoRows();
      const [from, to] = ['2024-02-01T00:00:00Z', '2024-02-29T23:59:59Z'];
      const inWindow = (code: string, end = to) => rows.get(code)!.filter((x) => x.time >= from && x.time <= end).length;
      const window = (end = to) => `&temporalFilter=${encodeURIComponent(`om:phenomenonTime,${from}/${end}`)}`;
      const omMax = Math.floor(100_000 / 1150);
      // One series whose stored count exceeds the limit: only its answer (one batch) can tell.
      expect(rows.get(OFF)!.length).toBeGreaterThan(omMax);
      expect(inWindow(OFF)).toBeGreaterThan(omMax);
      expect(inWindow(OFF)).toBeLessThan(100_000 / 160);
      const om = await fetchText(`${base}${window()}`);
      expect(om.status).toBe(400);
      expect(exceptionOf(om.body).code).toBe('ResponseExceedsSizeLimit');
      expect(exceptionOf(om.body).locator).toBe('GetObservation');
      const wml = await fetchText(`${base}${window()}&responseFormat=${encodeURIComponent('http://www.opengis.net/waterml/2.0')}`);
      expect(wml.status).toBe(200);
      expect(countOf(wml.body, '<wml2:point>')).toBe(inWindow(OFF));
      // Two series, each within the limit but not together: one count statement before either is read.
      const end = '2024-02-05T23:59:59Z';
      const [a, b] = [...rows.keys()].filter((c) => inWindow(c, end) > omMax / 2 && inWindow(c, end) <= omMax).slice(0, 2);
      expect(inWindow(a, end) + inWindow(b, end)).toBeGreaterThan(omMax);
      const one = await fetchText(`service=SOS&version=2.0.0&request=GetObservation&offering=${a}${window(end)}`);
      expect(one.status).toBe(200);
      expect(countOf(one.body, '<om:OM_Observation ')).toBe(inWindow(a, end));
      const two = await fetchText(`service=SOS&version=2.0.0&request=GetObservation&offering=${a},${b}${window(end)}`);
      expect(two.status).toBe(400);
      expect(exceptionOf(two.body).code).toBe('ResponseExceedsSizeLimit');
    } finally {
      await small.close();
    }
  });

  test('a document that fits one output chunk is sent whole with its Content-Length; a longer one is chunked', async () => {
    for (const fmt of ['application/json', 'text/csv', 'http://www.opengis.net/om/2.0', 'http://www.opengis.net/waterml/2.0']) {
      // One day (12 observations): well inside one 64 KB chunk in every format, O&M 2.0 included (~1 KB each).
      const day = 'om:phenomenonTime,2024-02-01T00:00:00Z/2024-02-02T00:00:00Z';
      const small = await get(`service=SOS&version=2.0.0&request=GetObservation&offering=${OFF}&temporalFilter=${encodeURIComponent(day)}&responseFormat=${encodeURIComponent(fmt)}`);
      expect(small.body).toContain('2024-02-01T04:00:00Z');
      expect(small.status).toBe(200);
      expect(small.headers['transfer-encoding']).toBeUndefined();
      expect(Number(small.headers['content-length'])).toBe(Buffer.byteLength(small.body));
    }
    // A one-string series of ~900 points (~31 KB of JSON) must join the chunk, not be sent on its own.
    const months = await get(`service=SOS&version=2.0.0&request=GetObservation&offering=${OFF}&responseFormat=application/json&temporalFilter=${encodeURIComponent('om:phenomenonTime,2024-02-01T00:00:00Z/2024-04-15T00:00:00Z')}`);
    expect(JSON.parse(months.body).series[0].points.length).toBeGreaterThan(800);
    expect(Buffer.byteLength(months.body)).toBeGreaterThan(22_000);
    expect(Number(months.headers['content-length'])).toBe(Buffer.byteLength(months.body));
    const network = await get('service=SOS&version=2.0.0&request=GetObservation&responseFormat=text/csv');
    expect(network.headers['transfer-encoding']).toBe('chunked');
    expect(network.headers['content-length']).toBeUndefined();
    expect(network.body.split('\n').length).toBeGreaterThan(100_000);
  });

  test('POX: sos:GetObservation with fes:During, fes:After and TEquals latest', async () => {
    const body = (filter: string, fmt = 'http://www.opengis.net/om/2.0') => `<?xml version="1.0" encoding="UTF-8"?>
<sos:GetObservation service="SOS" version="2.0.0" xmlns:sos="http://www.opengis.net/sos/2.0" xmlns:fes="http://www.opengis.net/fes/2.0" xmlns:gml="http://www.opengis.net/gml/3.2" xmlns:swe="http://www.opengis.net/swe/2.0" xmlns:swes="http://www.opengis.net/swes/2.0">
  <sos:procedure>${PROC}</sos:procedure><sos:offering>${OFF}</sos:offering><sos:observedProperty>${PROP}</sos:observedProperty>
  <sos:temporalFilter>${filter}</sos:temporalFilter>
  <sos:responseFormat>${fmt}</sos:responseFormat>
</sos:GetObservation>`;
    const during = await post(body(`<fes:During><fes:ValueReference>om:phenomenonTime</fes:ValueReference><gml:TimePeriod gml:id="tp1"><gml:beginPosition>2024-02-01T00:00:00Z</gml:beginPosition><gml:endPosition>2024-02-08T00:00:00Z</gml:endPosition></gml:TimePeriod></fes:During>`));
    expect(during.status).toBe(200);
    expectValidXml(during.body, 'sos20');
    const kvp = await get(`${base}&temporalFilter=${FEB}`);
    expect(during.body).toBe(kvp.body);
    const after = await post(body(`<fes:After><fes:ValueReference>om:phenomenonTime</fes:ValueReference><gml:TimeInstant gml:id="ti1"><gml:timePosition>2024-12-31T20:00:00Z</gml:timePosition></gml:TimeInstant></fes:After>`, 'text/csv'));
    expect(after.body.trim().split('\n').slice(1).map((l: string) => l.split(',')[1])).toEqual(['2024-12-31T22:00:00Z']);
    const latest = await post(body(`<fes:TEquals><fes:ValueReference>om:phenomenonTime</fes:ValueReference><gml:TimeInstant gml:id="ti2"><gml:timePosition>latest</gml:timePosition></gml:TimeInstant></fes:TEquals>`));
    expect(countOf(latest.body, '<om:OM_Observation ')).toBe(1);
    const noRef = await post(body(`<fes:During><gml:TimePeriod gml:id="tp1"><gml:beginPosition>2024-02-01T00:00:00Z</gml:beginPosition><gml:endPosition>2024-02-08T00:00:00Z</gml:endPosition></gml:TimePeriod></fes:During>`));
    expect(exceptionOf(noRef.body)).toEqual({ code: 'MissingParameterValue', locator: 'ValueReference' });
  });
});

describe('GetFeatureOfInterest, GetObservationById, GetDataAvailability', () => {
  test('GetFeatureOfInterest by id, procedure, property and BBOX validates; empty box gives an empty response', async () => {
    const b = 'service=SOS&version=2.0.0&request=GetFeatureOfInterest';
    const one = await get(`${b}&featureOfInterest=${FOI}`);
    expectValidXml(one.body, SOS_SAMS_XSD);
    expect(countOf(one.body, '<sams:SF_SpatialSamplingFeature ')).toBe(1);
    expect(one.body).toContain('-20.548883 166.560983');
    const byProc = await get(`${b}&procedure=${PROC}`);
    expect(countOf(byProc.body, '<sams:SF_SpatialSamplingFeature ')).toBe(1);
    const all = await get(`${b}&observedProperty=${encodeURIComponent(PROP)}`);
    expect(countOf(all.body, '<sams:SF_SpatialSamplingFeature ')).toBeGreaterThan(5);
    const box = await get(`${b}&spatialFilter=om:featureOfInterest/*/sams:shape,-20.6,166.5,-20.5,166.6,urn:ogc:def:crs:EPSG::4326`);
    expect(countOf(box.body, '<gml:identifier codeSpace="http://www.opengis.net/def/nil/OGC/0/unknown">NCL_OUVEA01<')).toBe(1);
    const none = await get(`${b}&spatialFilter=om:featureOfInterest/*/sams:shape,0.0,10.0,0.0,10.0,urn:ogc:def:crs:EPSG::4326`);
    expect(none.status).toBe(200);
    expectValidXml(none.body, SOS_SAMS_XSD);
    expect(none.body).not.toContain('featureMember');
    await expectError(`${b}&spatialFilter=,0.0,10.0,0.0,10.0,urn:ogc:def:crs:EPSG::4326`, 'MissingParameterValue', 'ValueReference');
    await expectError(`${b}&featureOfInterest=NOPE`, 'InvalidParameterValue', 'featureOfInterest');
  });

  test('GetObservationById: known id validates; unknown id is an empty response', async () => {
    const b = 'service=SOS&version=2.0.0&request=GetObservationById';
    const r = await get(`${b}&observation=${OFF}/1706745600`);
    expectValidXml(r.body, 'sos20');
    expect(countOf(r.body, '<om:OM_Observation ')).toBe(1);
    expect(r.body).toContain('>26.0281</om:result>');
    const unknown = await get(`${b}&observation=NOPE/123,also-unknown`);
    expect(unknown.status).toBe(200);
    expectValidXml(unknown.body, 'sos20');
    expect(unknown.body).not.toContain('OM_Observation');
    await expectError(b, 'MissingParameterValue', 'observation');
  });

  test('an observation off the whole second keeps one id, truncated like its time, in GetObservation and GetObservationById', async () => {
    const { rows } = await t.db.store.query<{ id: number }>('SELECT id FROM dataset WHERE code = $1', [OFF]);
    await t.db.store.query(`INSERT INTO observation (dataset_id, time, value, qc) VALUES ($1, '2031-05-06T07:08:09.75Z', 12.5, 2)`, [rows[0].id]);
    try {
      const epoch = Date.parse('2031-05-06T07:08:09Z') / 1000;
      const list = await get(`service=SOS&version=2.0.0&request=GetObservation&offering=${OFF}&temporalFilter=om:phenomenonTime,2031-05-06T00:00:00Z/2031-05-07T00:00:00Z`);
      expect(countOf(list.body, '<om:OM_Observation ')).toBe(1);
      expect(list.body).toContain(`>${OFF}/${epoch}</gml:identifier>`);
      expect(list.body).toContain('<gml:timePosition>2031-05-06T07:08:09Z</gml:timePosition>');
      const one = await get(`service=SOS&version=2.0.0&request=GetObservationById&observation=${OFF}/${epoch},${OFF}/${epoch}`);
      expectValidXml(one.body, 'sos20');
      expect(countOf(one.body, '<om:OM_Observation ')).toBe(1);
      expect(one.body).toContain('>12.5</om:result>');
      expect(one.body).toContain('<om:value xsi:type="xs:integer">2</om:value>');
    } finally {
      await t.db.store.query(`DELETE FROM observation WHERE dataset_id = $1 AND time >= '2031-01-01'`, [rows[0].id]);
    }
  });

  test('GetDataAvailability: extent and count per series, with a temporal filter, XML and JSON', async () => {
    const b = `service=SOS&version=2.0.0&request=GetDataAvailability&offering=${OFF}`;
    const x = await get(b);
    expect(x.status).toBe(200);
    expect(x.body).toContain('<gda:count>4125</gda:count>');
    expect(x.body).toContain('<gml:beginPosition>2024-01-23T06:00:00Z</gml:beginPosition>');
    const j = await get(`${b}&responseFormat=application/json&temporalFilter=${FEB}`);
    const { rows } = await t.db.store.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM observation o JOIN dataset d ON d.id = o.dataset_id WHERE d.code = $1 AND o.time BETWEEN '2024-02-01T00:00:00Z' AND '2024-02-08T00:00:00Z'`,
      [OFF],
    );
    expect(JSON.parse(j.body).dataAvailability).toEqual([
      { offering: OFF, procedure: PROC, observedProperty: PROP, featureOfInterest: FOI, phenomenonTime: ['2024-02-01T00:00:00Z', '2024-02-08T00:00:00Z'], count: rows[0].n },
    ]);
  });

  test('POX DescribeSensor and GetFeatureOfInterest', async () => {
    const ds = await post(`<swes:DescribeSensor service="SOS" version="2.0.0" xmlns:swes="http://www.opengis.net/swes/2.0"><swes:procedure>${PROC}</swes:procedure><swes:procedureDescriptionFormat>http://www.opengis.net/sensorml/2.0</swes:procedureDescriptionFormat></swes:DescribeSensor>`);
    expect(ds.status).toBe(200);
    expectValidXml(ds.body, 'swes20');
    const foi = await post(`<sos:GetFeatureOfInterest service="SOS" version="2.0.0" xmlns:sos="http://www.opengis.net/sos/2.0"><sos:featureOfInterest>${FOI}</sos:featureOfInterest></sos:GetFeatureOfInterest>`);
    expect(countOf(foi.body, '<sams:SF_SpatialSamplingFeature ')).toBe(1);
    const caps = await post(`<sos:GetCapabilities service="SOS" xmlns:sos="http://www.opengis.net/sos/2.0" xmlns:ows="http://www.opengis.net/ows/1.1"><ows:Sections><ows:Section>OperationsMetadata</ows:Section></ows:Sections></sos:GetCapabilities>`);
    expectValidXml(caps.body, 'sos20');
    expect(caps.body).not.toContain('<sos:contents>');
  });
});

describe('SOS 1.0.0', () => {
  test('capabilities carry sos:ObservationOffering with gml:name in the 1.0 namespace', async () => {
    const r = await get('SERVICE=SOS&VERSION=1.0.0&REQUEST=GetCapabilities');
    expect(r.status).toBe(200);
    expect(r.body).toContain('<sos:Capabilities xmlns:sos="http://www.opengis.net/sos/1.0"');
    expect(r.body).toContain('version="1.0.0"');
    expect(countOf(r.body, '<sos:ObservationOffering ')).toBe(55);
    expect(r.body).toContain(`<gml:name>${OFF}</gml:name>`);
    // The code is an NCName, so it is the gml:id too (OWSLib keys offerings by gml:id and sends it back).
    expect(r.body).toContain(`<sos:ObservationOffering gml:id="${OFF}">`);
    expect(r.body).toContain('<sos:responseFormat>text/xml;subtype="om/1.0.0"</sos:responseFormat>');
  });

  test('GetObservation names an offering by code, gml:id or the former gml:id off_<code> (KVP and POST); others stay unknown', async () => {
    const q = (off: string) => `service=SOS&version=1.0.0&request=GetObservation&offering=${off}&observedProperty=${encodeURIComponent(PROP)}&eventTime=2024-02-01T00:00:00Z/2024-02-01T05:00:00Z`;
    const values = '<swe:values>2024-02-01T00:00:00Z,26.0281,1;2024-02-01T02:00:00Z,26.0075,1;2024-02-01T04:00:00Z,26.0425,1</swe:values>';
    for (const off of [OFF, `off_${OFF}`, `off_${OFF},${OFF}`]) {
      const r = await get(q(off));
      expect([off, r.status]).toEqual([off, 200]);
      expect(countOf(r.body, '<om:Observation ')).toBe(1);
      expect(r.body).toContain(`<gml:name>${OFF}</gml:name>`);
      expect(r.body).toContain(values);
    }
    const doc = `<sos:GetObservation service="SOS" version="1.0.0" xmlns:sos="http://www.opengis.net/sos/1.0"><sos:offering>off_${OFF}</sos:offering><sos:observedProperty>${PROP}</sos:observedProperty><sos:eventTime><ogc:TM_During xmlns:ogc="http://www.opengis.net/ogc" xmlns:gml="http://www.opengis.net/gml"><ogc:PropertyName>om:samplingTime</ogc:PropertyName><gml:TimePeriod><gml:beginPosition>2024-02-01T00:00:00Z</gml:beginPosition><gml:endPosition>2024-02-01T05:00:00Z</gml:endPosition></gml:TimePeriod></ogc:TM_During></sos:eventTime></sos:GetObservation>`;
    const p = await post(doc);
    expect(p.status).toBe(200);
    expect(p.body).toContain(values);
    await expectError(q(`off_off_${OFF}`), 'InvalidParameterValue', 'offering');
    await expectError(q('off_'), 'InvalidParameterValue', 'offering');
    // SOS 2.0 has no offering gml:id: there the identifier is the code only.
    await expectError(`service=SOS&version=2.0.0&request=GetObservation&offering=off_${OFF}`, 'InvalidParameterValue', 'offering');
  });

  test('DescribeSensor returns SensorML 1.0.1', async () => {
    const r = await get(`service=SOS&version=1.0.0&request=DescribeSensor&procedure=${PROC}&outputFormat=${encodeURIComponent('text/xml;subtype="sensorML/1.0.1"')}`);
    expect(r.status).toBe(200);
    expectValidXml(r.body, 'sml101');
  });

  test('GetObservation: om:Observation with a DataArray, om:Measurement per value', async () => {
    const b = `service=SOS&version=1.0.0&request=GetObservation&offering=${OFF}&observedProperty=${encodeURIComponent(PROP)}&responseFormat=${encodeURIComponent('text/xml;subtype="om/1.0.0"')}&eventTime=2024-02-01T00:00:00Z/2024-02-01T05:00:00Z`;
    const obs = await get(b);
    expect(obs.status).toBe(200);
    expect(obs.body).toContain('<om:ObservationCollection xmlns:om="http://www.opengis.net/om/1.0"');
    expect(obs.body).toContain('<swe:elementCount><swe:Count><swe:value>3</swe:value>');
    expect(obs.body).toContain('<swe:values>2024-02-01T00:00:00Z,26.0281,1;2024-02-01T02:00:00Z,26.0075,1;2024-02-01T04:00:00Z,26.0425,1</swe:values>');
    const m = await get(`${b}&resultModel=om:Measurement`);
    expect(countOf(m.body, '<om:Measurement ')).toBe(3);
    expect(m.body).toContain('<om:result uom="Cel">26.0281</om:result>');
    await expectError(`service=SOS&version=1.0.0&request=GetObservation&observedProperty=x`, 'MissingParameterValue', 'offering');
  });

  test('GetObservation POST: featureOfInterest/ObjectID selects the station', async () => {
    const doc = (foi: string) =>
      `<sos:GetObservation service="SOS" version="1.0.0" xmlns:sos="http://www.opengis.net/sos/1.0" xmlns:om="http://www.opengis.net/om/1.0" xmlns:ogc="http://www.opengis.net/ogc" xmlns:gml="http://www.opengis.net/gml">` +
      `<sos:offering>${OFF}</sos:offering><sos:eventTime><ogc:TM_During><ogc:PropertyName>om:samplingTime</ogc:PropertyName><gml:TimePeriod><gml:beginPosition>2024-02-01T00:00:00Z</gml:beginPosition><gml:endPosition>2024-02-01T05:00:00Z</gml:endPosition></gml:TimePeriod></ogc:TM_During></sos:eventTime>` +
      `<sos:observedProperty>${PROP}</sos:observedProperty>${foi}<sos:responseFormat>text/xml;subtype="om/1.0.0"</sos:responseFormat></sos:GetObservation>`;
    const same = await post(doc(`<sos:featureOfInterest><sos:ObjectID>${FOI}</sos:ObjectID></sos:featureOfInterest>`));
    expect(same.status).toBe(200);
    expect(countOf(same.body, '<om:Observation ')).toBe(1);
    expect(same.body).toContain('<swe:values>2024-02-01T00:00:00Z,26.0281,1;2024-02-01T02:00:00Z,26.0075,1;2024-02-01T04:00:00Z,26.0425,1</swe:values>');
    // Another station's feature leaves nothing of this offering (the filters intersect, as in KVP).
    const other = await post(doc(`<sos:featureOfInterest><sos:ObjectID>NCL_AMEDEE</sos:ObjectID></sos:featureOfInterest>`));
    expect(other.status).toBe(200);
    expect(countOf(other.body, '<om:Observation ')).toBe(0);
    const bbox = await post(doc(`<sos:featureOfInterest><ogc:BBOX><ogc:PropertyName>urn:ogc:data:location</ogc:PropertyName><gml:Envelope><gml:lowerCorner>-21 166</gml:lowerCorner><gml:upperCorner>-20 167</gml:upperCorner></gml:Envelope></ogc:BBOX></sos:featureOfInterest>`));
    expect(bbox.status).toBe(400);
    expect(bbox.body).toMatch(/exceptionCode="InvalidParameterValue" locator="featureOfInterest"/);
  });
});
