import { createTestApp, TestApp } from '../helpers/app';
import { expectValidXml } from '../helpers/xmllint';

/**
 * Names every plain JavaScript object inherits ("__proto__", "constructor", ...) are just unknown
 * values to a client: each parameter that is looked up in one of our tables answers 400 with an
 * ExceptionReport located at that parameter, never a 500 from matching an inherited member.
 */
let t: TestApp;
let offering: string;
let procedure: string;

beforeAll(async () => {
  t = await createTestApp();
  const caps = (await t.http.get('/sos?service=SOS&request=GetCapabilities&acceptversions=2.0.0')).text;
  offering = /<swes:identifier>([^<]+)</.exec(caps)![1];
  procedure = /<swes:procedure>([^<]+)</.exec(caps)![1];
});
afterAll(async () => {
  await t?.close();
});

const KEYS = ['__proto__', 'constructor', 'toString', 'hasOwnProperty', 'valueOf', '__defineGetter__'];
const WFS = 'service=WFS&version=2.0.0';
const dwithin = (units: string) =>
  `<fes:Filter xmlns:fes="http://www.opengis.net/fes/2.0" xmlns:gml="http://www.opengis.net/gml/3.2"><fes:DWithin><fes:ValueReference>geom</fes:ValueReference><gml:Point gml:id="p" srsName="urn:ogc:def:crs:EPSG::4326"><gml:pos>-22 166</gml:pos></gml:Point><fes:Distance uom="${units}">10</fes:Distance></fes:DWithin></fes:Filter>`;

/** [what, path with the key put in, parameter the report must name] */
const CASES: [string, (k: string) => string, string][] = [
  ['WFS 2.0 GetFeature outputFormat', (k) => `/wfs?${WFS}&request=GetFeature&typeNames=reef:Station&outputFormat=${k}`, 'outputFormat'],
  ['WFS 1.1 GetFeature outputFormat', (k) => `/wfs?service=WFS&version=1.1.0&request=GetFeature&typeName=reef:Station&outputFormat=${k}`, 'outputFormat'],
  ['WFS DescribeFeatureType outputFormat', (k) => `/wfs?${WFS}&request=DescribeFeatureType&outputFormat=${k}`, 'outputFormat'],
  ['WFS request', (k) => `/wfs?${WFS}&request=${k}`, 'request'],
  ['OWS service', (k) => `/ows?service=${k}&request=GetCapabilities`, 'service'],
  ['WFS typeNames', (k) => `/wfs?${WFS}&request=GetFeature&typeNames=${k}`, 'typeNames'],
  ['WFS srsName', (k) => `/wfs?${WFS}&request=GetFeature&typeNames=reef:Station&srsName=${k}`, 'srsName'],
  ['WFS sortBy', (k) => `/wfs?${WFS}&request=GetFeature&typeNames=reef:Station&sortBy=${k}`, 'sortBy'],
  ['WFS propertyName', (k) => `/wfs?${WFS}&request=GetFeature&typeNames=reef:Station&propertyName=${k}`, 'propertyName'],
  ['WFS resultType', (k) => `/wfs?${WFS}&request=GetFeature&typeNames=reef:Station&resultType=${k}`, 'resultType'],
  ['FES DWithin distance unit', (k) => `/wfs?${WFS}&request=GetFeature&typeNames=reef:Station&filter=${encodeURIComponent(dwithin(k))}`, 'filter'],
  ['SOS 2.0 request', (k) => `/sos?service=SOS&version=2.0.0&request=${k}`, 'request'],
  ['SOS 2.0 responseFormat', (k) => `/sos?service=SOS&version=2.0.0&request=GetObservation&offering=${offering}&responseFormat=${k}`, 'responseFormat'],
  ['SOS 2.0 temporal operator', (k) => `/sos?service=SOS&version=2.0.0&request=GetObservation&offering=${offering}&temporalFilter=om:phenomenonTime,${k},2024-01-01T00:00:00Z`, 'temporalFilter'],
  ['SOS 2.0 procedureDescriptionFormat', (k) => `/sos?service=SOS&version=2.0.0&request=DescribeSensor&procedure=${encodeURIComponent(procedure)}&procedureDescriptionFormat=${k}`, 'procedureDescriptionFormat'],
  ['SOS 1.0 responseFormat', (k) => `/sos?service=SOS&version=1.0.0&request=GetObservation&offering=${offering}&observedProperty=x&responseFormat=${k}`, 'responseFormat'],
];

describe.each(CASES)('%s', (_what, path, locator) => {
  test.each(KEYS)('%s → 400 located at the parameter', async (key) => {
    const r = await t.http.get(path(encodeURIComponent(key)));
    expect(r.status).toBe(400);
    const m = /exceptionCode="([^"]+)" locator="([^"]*)"/.exec(r.text);
    expect(m?.[2].toLowerCase()).toBe(locator.toLowerCase());
    expect(['InvalidParameterValue', 'OperationNotSupported', 'OptionNotSupported']).toContain(m?.[1]);
    expectValidXml(r.text, 'ows11');
  });
});
