import { createTestApp, TestApp } from '../helpers/app';
import { expectValidXml } from '../helpers/xmllint';

/**
 * Input PostgreSQL would refuse (year 0000, NUL, lone surrogates) is the client's error: a 400
 * ExceptionReport naming the parameter, never a 500 carrying PostgreSQL's text.
 */
let t: TestApp;
let offering: string;
let property: string;
let offering10: string;
let property10: string;

const SQL_TEXT = /out of range|invalid input syntax|invalid byte sequence|ERROR:|SQLSTATE|22007|22008|22021|Internal server error/i;

beforeAll(async () => {
  t = await createTestApp();
  const cap = (await t.http.get('/sos?service=SOS&request=GetCapabilities&acceptversions=2.0.0')).text;
  offering = /<swes:identifier>([^<]+)</.exec(cap)![1];
  property = /<swes:observableProperty>([^<]+)</.exec(cap)![1];
  const cap10 = (await t.http.get('/sos?service=SOS&request=GetCapabilities&acceptversions=1.0.0')).text;
  offering10 = /<sos:ObservationOffering[^>]*>[\s\S]*?<gml:name>([^<]+)</.exec(cap10)![1];
  property10 = /<sos:observedProperty xlink:href="([^"]+)"/.exec(cap10)![1];
});
afterAll(async () => {
  await t?.close();
});

async function expect400(res: { status: number; text: string }, code: string, locator: string | RegExp): Promise<void> {
  if (res.status !== 400) throw new Error(`expected 400, got ${res.status}: ${res.text.slice(0, 400)}`);
  expect(res.text).not.toMatch(SQL_TEXT);
  expect(res.text).toContain(`exceptionCode="${code}"`);
  expect(/locator="([^"]*)"/.exec(res.text)?.[1]).toMatch(locator);
  expectValidXml(res.text, 'ows11');
}

const Y0 = '0000-01-01T00:00:00Z';
const enc = encodeURIComponent;

describe('year 0000 (valid ISO 8601, refused by PostgreSQL) is an InvalidParameterValue', () => {
  it('SOS 2.0 GetObservation temporalFilter (KVP, period and instant)', async () => {
    await expect400(await t.http.get(`/sos?service=SOS&version=2.0.0&request=GetObservation&offering=${enc(offering)}&temporalFilter=${enc(`om:phenomenonTime,${Y0}/2024-01-01T00:00:00Z`)}`), 'InvalidParameterValue', 'temporalFilter');
    await expect400(await t.http.get(`/sos?service=SOS&version=2.0.0&request=GetObservation&offering=${enc(offering)}&temporalFilter=${enc(`om:phenomenonTime,After,${Y0}`)}`), 'InvalidParameterValue', 'temporalFilter');
  });

  it('SOS 2.0 GetObservation temporalFilter (XML)', async () => {
    const body = `<sos:GetObservation service="SOS" version="2.0.0" xmlns:sos="http://www.opengis.net/sos/2.0" xmlns:fes="http://www.opengis.net/fes/2.0" xmlns:gml="http://www.opengis.net/gml/3.2"><sos:offering>${offering}</sos:offering><sos:temporalFilter><fes:During><fes:ValueReference>om:phenomenonTime</fes:ValueReference><gml:TimePeriod gml:id="t"><gml:beginPosition>${Y0}</gml:beginPosition><gml:endPosition>2024-01-02T00:00:00Z</gml:endPosition></gml:TimePeriod></fes:During></sos:temporalFilter></sos:GetObservation>`;
    await expect400(await t.http.post('/sos').set('Content-Type', 'application/xml').send(body), 'InvalidParameterValue', 'temporalFilter');
  });

  it('SOS 2.0 GetDataAvailability temporalFilter', async () => {
    await expect400(await t.http.get(`/sos?service=SOS&version=2.0.0&request=GetDataAvailability&temporalFilter=${enc(`om:phenomenonTime,${Y0}/2024-01-01T00:00:00Z`)}`), 'InvalidParameterValue', 'temporalFilter');
  });

  it('SOS 1.0.0 GetObservation eventTime', async () => {
    await expect400(await t.http.get(`/sos?service=SOS&version=1.0.0&request=GetObservation&offering=${enc(offering10)}&observedProperty=${enc(property10)}&responseFormat=${enc('text/xml;subtype="om/1.0.0"')}&eventTime=${enc(`${Y0}/2024-01-01T00:00:00Z`)}`), 'InvalidParameterValue', 'eventTime');
  });

  it('an offset that moves year 0001 into year 0000 in UTC', async () => {
    await expect400(await t.http.get(`/sos?service=SOS&version=2.0.0&request=GetObservation&offering=${enc(offering)}&temporalFilter=${enc('om:phenomenonTime,After,0001-01-01T00:30:00+01:00')}`), 'InvalidParameterValue', 'temporalFilter');
  });

  it('the edges of the accepted range still work', async () => {
    const r = await t.http.get(`/sos?service=SOS&version=2.0.0&request=GetObservation&offering=${enc(offering)}&temporalFilter=${enc('om:phenomenonTime,0001-01-01T00:00:00Z/9999-12-31T23:59:59Z')}&responseFormat=text/csv`);
    expect(r.status).toBe(200);
  });

  it('WFS FES literal', async () => {
    const filter = `<fes:Filter xmlns:fes="http://www.opengis.net/fes/2.0"><fes:PropertyIsGreaterThan><fes:ValueReference>timeStart</fes:ValueReference><fes:Literal>${Y0}</fes:Literal></fes:PropertyIsGreaterThan></fes:Filter>`;
    const r = await t.http.get(`/wfs?service=WFS&version=2.0.0&request=GetFeature&typeNames=reef:Dataset&filter=${enc(filter)}`);
    expect(r.status).toBeGreaterThanOrEqual(400);
    expect(r.status).toBeLessThan(500);
    expect(r.text).not.toMatch(SQL_TEXT);
  });
});

describe('NUL and lone surrogates never reach SQL', () => {
  it('/metadata/%00.xml', async () => {
    await expect400(await t.http.get('/metadata/%00.xml'), 'InvalidParameterValue', 'datasetCode');
    await expect400(await t.http.get('/metadata/A%00B.xml'), 'InvalidParameterValue', 'datasetCode');
  });

  it('a path segment that is not UTF-8 (a lone surrogate, %ED%A0%80) is a 400, not a 500', async () => {
    const r = await t.http.get('/metadata/%ED%A0%80.xml');
    expect(r.status).toBe(400);
    expect(r.text).not.toMatch(SQL_TEXT);
  });

  it.each([
    ['SOS offering', () => `/sos?service=SOS&version=2.0.0&request=GetObservation&offering=a%00b`, 'offering'],
    ['SOS procedure', () => `/sos?service=SOS&version=2.0.0&request=DescribeSensor&procedure=%00&procedureDescriptionFormat=${enc('http://www.opengis.net/sensorml/2.0')}`, 'procedure'],
    ['SOS 1.0 offering', () => `/sos?service=SOS&version=1.0.0&request=GetObservation&offering=%00&observedProperty=x`, 'offering'],
    ['WFS resourceId', () => '/wfs?service=WFS&version=2.0.0&request=GetFeature&resourceId=Station.%00', 'resourceid'],
    ['WFS typeNames', () => '/wfs?service=WFS&version=2.0.0&request=GetFeature&typeNames=reef:%00', 'typenames'],
    ['a parameter name', () => '/wfs?service=WFS&version=2.0.0&request=GetCapabilities&x%00y=1', 'request'],
  ])('%s with NUL', async (_what, url, locator) => {
    await expect400(await t.http.get(url()), 'InvalidParameterValue', new RegExp(`^${locator}$`, 'i'));
  });
});
