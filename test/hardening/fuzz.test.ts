import fc from 'fast-check';
import { XMLValidator } from 'fast-xml-parser';
import { listeningApp } from '../helpers/app';
import { validateXml } from '../helpers/xmllint';
import { fetchGuarded } from '../helpers/stallGuard';

/**
 * Property-based fuzzing of WFS and SOS, GET (KVP) and POST (XML and arbitrary bytes), against a real
 * listening server: never a 5xx other than 503, never a hang (a request fails only after a long silence,
 * never for being slow on a busy machine), every
 * error a schema-valid OWS ExceptionReport (an invalid KVP value located at a parameter that was sent),
 * every success a complete, well-formed body.
 */
const srv = listeningApp();

/** Identifiers the server really publishes (those of its first SOS offering), to mix with invalid ones. */
interface Ids {
  offering: string;
  property: string;
  procedure: string;
  feature: string;
}
let ids: Ids;

beforeAll(async () => {
  const caps = await (await fetch(`${srv.base}/sos?service=SOS&request=GetCapabilities&acceptversions=2.0.0`)).text();
  // No fallback: with a placeholder the properties would only ever exercise "unknown offering".
  const first = (re: RegExp): string => {
    const v = re.exec(caps)?.[1];
    if (!v) throw new Error(`the SOS capabilities hold no ${re.source}`);
    return v;
  };
  ids = {
    offering: first(/<swes:identifier>([^<]+)</),
    property: first(/<swes:observableProperty>([^<]+)</),
    procedure: first(/<swes:procedure>([^<]+)</),
    feature: first(/<swes:target xlink:href="([^"]+)"/),
  };
});

/** A property runs hundreds of requests: on a loaded machine it may take long, a hang is caught per request. */
const PROPERTY_MS = 30 * 60_000;
const seen = new Set<string>();
const stats = { requests: 0, ok: 0, errors: 0, validated: 0, invalidParamLocators: 0, kvpWithRealOffering: 0, xmlWithRealOffering: 0 };

/** Sends one request with its own deadline and checks the invariants. */
async function check(method: 'GET' | 'POST', path: string, body?: string | Uint8Array, contentType = 'application/xml', sent?: string[]): Promise<void> {
  const what = `${method} ${path}${body !== undefined ? ` body=${typeof body === 'string' ? body.slice(0, 300) : `<${body.length} bytes>`}` : ''}`;
  const res = await fetchGuarded(srv.base + path, { method, body: body as BodyInit | undefined, headers: body !== undefined ? { 'Content-Type': contentType } : {} }, what);
  const text = res.text;
  stats.requests++;
  if (res.status >= 500 && res.status !== 503) throw new Error(`${res.status} for ${what}\n${text.slice(0, 600)}`);
  const type = res.headers.get('content-type') ?? '';
  if (res.status >= 400) {
    stats.errors++;
    if (!/^(application|text)\/xml/.test(type) || !text.includes('<ows:ExceptionReport')) throw new Error(`error ${res.status} without ExceptionReport for ${what}: ${text.slice(0, 300)}`);
    const key = `${res.status}/${/exceptionCode="([^"]+)" locator="([^"]*)"/.exec(text)?.slice(1).join('/')}`;
    const [, code, locator] = /exceptionCode="([^"]+)" locator="([^"]*)"/.exec(text) ?? [];
    // Precise locators: an invalid KVP value is reported against a parameter the client actually sent.
    if (sent && code === 'InvalidParameterValue') {
      stats.invalidParamLocators++;
      if (!sent.map((n) => n.toLowerCase()).includes(locator.toLowerCase())) throw new Error(`InvalidParameterValue with locator "${locator}", not one of the parameters sent (${sent.join(', ')}) for ${what}`);
    }
    if (!seen.has(key)) {
      // Every distinct status/code/locator goes through xmllint; repeats only need to be well-formed.
      seen.add(key);
      const v = validateXml(text, 'ows11');
      if (!v.ok) throw new Error(`ExceptionReport not schema-valid for ${what}: ${v.output}\n${text.slice(0, 400)}`);
      stats.validated++;
    } else if (XMLValidator.validate(text) !== true) throw new Error(`malformed ExceptionReport for ${what}`);
    return;
  }
  stats.ok++;
  if (/xml/.test(type) && XMLValidator.validate(text) !== true) throw new Error(`malformed XML ${res.status} for ${what}: ${text.slice(0, 300)}`);
  if (/json/.test(type)) JSON.parse(text);
}

// ---------- KVP ----------

const WFS_OPS = ['GetCapabilities', 'DescribeFeatureType', 'GetFeature', 'GetPropertyValue', 'ListStoredQueries', 'DescribeStoredQueries'];
const SOS_OPS = ['GetCapabilities', 'DescribeSensor', 'GetObservation', 'GetFeatureOfInterest', 'GetObservationById', 'GetDataAvailability'];
const HOSTILE = ["'", '"', '<', '>', '&', ']]>', '\u0000', '%00', '%', '%zz', '\ud800', '🦀', ' ', '', ',', ',,', '(', ')', '\\', '-1', '0', '1e309', 'NaN', '99999999999999999999', 'A'.repeat(3000), '__proto__', 'constructor', 'toString'];

const value = (valid: string[]) =>
  fc.oneof(
    { weight: 3, arbitrary: fc.constantFrom(...valid) },
    { weight: 2, arbitrary: fc.constantFrom(...HOSTILE) },
    { weight: 2, arbitrary: fc.string({ maxLength: 30 }) },
    { weight: 1, arbitrary: fc.string({ unit: 'grapheme', maxLength: 12 }) },
    { weight: 1, arbitrary: fc.integer({ min: -5, max: 2_000_000 }).map(String) },
    { weight: 1, arbitrary: fc.tuple(fc.double(), fc.double(), fc.double(), fc.double()).map((a) => a.join(',')) },
    { weight: 1, arbitrary: fc.array(fc.constantFrom(...valid, ...HOSTILE.slice(0, 10)), { maxLength: 4 }).map((a) => a.join(',')) },
  );

/** Parameters either service understands, with plausible values (the server's own identifiers among them) to mix with hostile ones. */
function kvpParams({ offering, property, procedure, feature }: Ids): Record<string, fc.Arbitrary<string>> {
  return {
    version: value(['2.0.0', '1.1.0', '1.0.0', '3.0.0']),
    acceptversions: value(['2.0.0', '1.0.0,2.0.0', '9.9.9']),
    sections: value(['All', 'Contents', 'OperationsMetadata,ServiceIdentification', 'Nope']),
    typenames: value(['reef:Station', 'reef:Dataset', 'reef:Observation', 'ns9:Station', 'Station']),
    typename: value(['reef:Station', 'reef:Observation']),
    namespaces: value(['xmlns(reef,http://reefgate.org/reef)', 'xmlns(ns9,http://reefgate.org/reef)', 'xmlns(', 'xmlns(a,b),xmlns(c,d)']),
    count: value(['1', '10', '0', '100000']),
    startindex: value(['0', '5', '1000000']),
    srsname: value(['urn:ogc:def:crs:EPSG::4326', 'EPSG:4326', 'EPSG:3857', 'CRS:84', 'EPSG:32758', 'EPSG:1']),
    bbox: value(['-23,166,-22,167', '-90,-180,90,180,urn:ogc:def:crs:EPSG::4326', '166,-23,167,-22,EPSG:4326', '1,2,3']),
    resourceid: value(['Station.NCL_AMEDEE', 'Dataset.x', 'Observation.AMEDEE_TEMP_0A_SBE56.1']),
    propertyname: value(['code', 'name,geom', 'nope', '(code)(name)']),
    sortby: value(['code', 'name DESC', 'depth ASC', 'geom', 'nope DESC']),
    outputformat: value(['application/gml+xml; version=3.2', 'application/json', 'text/csv', 'text/xml; subtype=gml/3.1.1', 'image/png']),
    resulttype: value(['results', 'hits', 'nope']),
    valuereference: value(['@gml:id', 'code', 'geom', 'time', 'nope']),
    storedquery_id: value(['urn:ogc:def:query:OGC-WFS::GetFeatureById', 'nope']),
    id: value(['Station.NCL_AMEDEE', 'nope']),
    filter: value([
      '<fes:Filter xmlns:fes="http://www.opengis.net/fes/2.0"><fes:PropertyIsEqualTo><fes:ValueReference>code</fes:ValueReference><fes:Literal>x</fes:Literal></fes:PropertyIsEqualTo></fes:Filter>',
      '<Filter><PropertyIsLike wildCard="*" singleChar="." escape="!"><PropertyName>name</PropertyName><Literal>A*</Literal></PropertyIsLike></Filter>',
      '<fes:Filter xmlns:fes="http://www.opengis.net/fes/2.0"><fes:Nope/></fes:Filter>',
    ]),
    offering: value([offering, 'nope']),
    observedproperty: value([property, 'nope']),
    procedure: value([procedure, 'nope']),
    featureofinterest: value([feature, 'nope', procedure]),
    temporalfilter: value(['om:phenomenonTime,2024-01-01T00:00:00Z/2024-01-03T00:00:00Z', 'om:phenomenonTime,latest', 'om:resultTime,2024-01-01T00:00:00Z', 'om:phenomenonTime,2024-13-45T99:00:00Z/x']),
    spatialfilter: value(['om:featureOfInterest/*/sams:shape,-23,166,-22,167,urn:ogc:def:crs:EPSG::4326', ',0.0,10.0,0.0,10.0,urn:ogc:def:crs:EPSG::4326']),
    responseformat: value(['http://www.opengis.net/om/2.0', 'http://www.opengis.net/waterml/2.0', 'application/json', 'text/csv', 'nope']),
    proceduredescriptionformat: value(['http://www.opengis.net/sensorml/2.0', 'text/xml; subtype="sensorML/1.0.1"', 'nope']),
    observation: value(['nope', '1']),
    downsample: value(['2', '100', '1', 'x']),
  };
}

/** A KVP request; built once the server's identifiers are known (in a test, never at load). */
function kvpRequest(ids: Ids) {
  return fc.record(
    {
      endpoint: fc.constantFrom('ows', 'wfs', 'sos'),
      service: fc.oneof(fc.constantFrom('WFS', 'SOS', 'wfs', 'sos', 'WMS', ''), fc.string({ maxLength: 6 })),
      request: fc.oneof({ weight: 4, arbitrary: fc.constantFrom(...WFS_OPS, ...SOS_OPS, 'Transaction', 'InsertObservation') }, { weight: 1, arbitrary: fc.string({ maxLength: 12 }) }),
      params: fc.record(kvpParams(ids), { requiredKeys: [] }),
      upper: fc.boolean(),
    },
    { requiredKeys: ['endpoint', 'request', 'params', 'upper'] },
  );
}

const SOS_KEYS = ['offering', 'observedproperty', 'procedure', 'featureofinterest', 'temporalfilter', 'spatialfilter', 'responseformat', 'proceduredescriptionformat', 'observation', 'downsample', 'sections'];
const WFS_KEYS = ['typenames', 'typename', 'namespaces', 'count', 'startindex', 'srsname', 'bbox', 'resourceid', 'propertyname', 'sortby', 'outputformat', 'resulttype', 'valuereference', 'storedquery_id', 'id', 'filter', 'sections'];

/**
 * A KVP request whose service, version and operation agree with its endpoint, with at most four of
 * that service's parameters: a fully random one is nearly always refused at dispatch or on one of its
 * dozen parameters, this one gets past them, so the operation's own checks and its query run, on the
 * server's identifiers mixed with hostile values.
 */
function plausibleKvpRequest(ids: Ids) {
  // The identifiers are mostly the server's own here, so the answer depends on the other parameters.
  const mostly = (real: string, other: fc.Arbitrary<string>) => fc.oneof({ weight: 2, arbitrary: fc.constant(real) }, { weight: 1, arbitrary: other });
  const any = kvpParams(ids);
  const params: Record<string, fc.Arbitrary<string>> = {
    ...any,
    offering: mostly(ids.offering, any.offering),
    observedproperty: mostly(ids.property, any.observedproperty),
    procedure: mostly(ids.procedure, any.procedure),
    featureofinterest: mostly(ids.feature, any.featureofinterest),
  };
  const some = (version: fc.Arbitrary<string>, keys: string[]) =>
    fc.tuple(version, fc.subarray(keys, { maxLength: 4 })).chain(([v, ks]) => fc.record(Object.fromEntries(ks.map((k) => [k, params[k]]))).map((p) => ({ version: v, ...p })));
  return fc.oneof(
    fc.record({ endpoint: fc.constantFrom('sos', 'ows'), service: fc.constant('SOS'), request: fc.constantFrom(...SOS_OPS), params: some(fc.constantFrom('2.0.0', '1.0.0'), SOS_KEYS), upper: fc.boolean() }),
    fc.record({ endpoint: fc.constantFrom('wfs', 'ows'), service: fc.constant('WFS'), request: fc.constantFrom(...WFS_OPS), params: some(fc.constantFrom('2.0.0', '1.1.0'), WFS_KEYS), upper: fc.boolean() }),
  );
}

test('KVP (GET): random and hostile parameter combinations over WFS and SOS', async () => {
  await fc.assert(
    fc.asyncProperty(fc.oneof(kvpRequest(ids), plausibleKvpRequest(ids)), async (r) => {
      const all: Record<string, string> = { ...(r.service !== undefined ? { service: r.service } : {}), request: r.request, ...(r.params as Record<string, string>) };
      if (all.offering?.split(',').includes(ids.offering)) stats.kvpWithRealOffering++;
      const qs = Object.entries(all)
        .map(([k, v]) => `${r.upper ? k.toUpperCase() : k}=${encodeURIComponent(v.replace(/[\ud800-\udfff]/g, '?'))}`)
        .join('&');
      await check('GET', `/${r.endpoint}?${qs}`, undefined, undefined, Object.keys(all));
    }),
    { numRuns: 400 },
  );
}, PROPERTY_MS);

// ---------- XML (POST) ----------

const NS = {
  wfs: 'http://www.opengis.net/wfs/2.0',
  wfs11: 'http://www.opengis.net/wfs',
  fes: 'http://www.opengis.net/fes/2.0',
  ogc: 'http://www.opengis.net/ogc',
  gml: 'http://www.opengis.net/gml/3.2',
  sos: 'http://www.opengis.net/sos/2.0',
  sos10: 'http://www.opengis.net/sos/1.0',
  swes: 'http://www.opengis.net/swes/2.0',
  ows: 'http://www.opengis.net/ows/1.1',
};
const DECLS = Object.entries(NS).map(([p, u]) => `xmlns:${p}="${u}"`).join(' ') + ' xmlns:reef="http://reefgate.org/reef"';

const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/"/g, '&quot;').replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f\ud800-\udfff\ufffe\uffff]/g, '?');

const ELEMENTS = [
  'wfs:Query', 'fes:Filter', 'fes:And', 'fes:Or', 'fes:Not', 'fes:PropertyIsEqualTo', 'fes:PropertyIsLike', 'fes:PropertyIsBetween', 'fes:PropertyIsNull',
  'fes:PropertyIsGreaterThan', 'fes:ValueReference', 'fes:Literal', 'fes:LowerBoundary', 'fes:UpperBoundary', 'fes:BBOX', 'fes:During', 'fes:After', 'fes:TEquals', 'fes:ResourceId',
  'fes:Function', 'fes:SortBy', 'fes:SortProperty', 'fes:SortOrder', 'gml:Envelope', 'gml:lowerCorner', 'gml:upperCorner', 'gml:Point', 'gml:pos', 'gml:TimePeriod', 'gml:TimeInstant',
  'gml:beginPosition', 'gml:endPosition', 'gml:timePosition', 'wfs:PropertyName', 'wfs:ValueReference', 'wfs:StoredQuery', 'wfs:Parameter', 'wfs:TypeName',
  'sos:offering', 'sos:observedProperty', 'sos:procedure', 'sos:featureOfInterest', 'sos:temporalFilter', 'sos:spatialFilter', 'sos:responseFormat', 'swes:procedure',
  'swes:procedureDescriptionFormat', 'sos:observation', 'ogc:Filter', 'ogc:PropertyName', 'ogc:Literal', 'ogc:PropertyIsEqualTo', 'ows:AcceptVersions', 'ows:Version', 'ows:Sections', 'ows:Section',
];
const ROOTS = ['wfs:GetFeature', 'wfs:GetPropertyValue', 'wfs:DescribeFeatureType', 'wfs:GetCapabilities', 'wfs:DescribeStoredQueries', 'wfs11:GetFeature', 'sos:GetObservation', 'sos:GetCapabilities', 'swes:DescribeSensor', 'sos:GetFeatureOfInterest', 'sos:GetObservationById', 'sos10:GetObservation', 'wfs:Transaction'];
const ATTRS = ['service', 'version', 'typeNames', 'typeName', 'count', 'startIndex', 'srsName', 'outputFormat', 'resultType', 'valueReference', 'rid', 'wildCard', 'singleChar', 'escapeChar', 'gml:id', 'id', 'name', 'handle', 'matchCase'];
/** A random request document; built once the server's identifiers are known (in a test, never at load). */
function xmlRequest({ offering, property, procedure, feature }: Ids) {
  const texts = ['reef:Station', 'reef:Observation', 'code', 'name', 'geom', 'time', 'value', '-23 166', '-22 167', '2024-01-01T00:00:00Z', 'latest', offering, property, procedure, feature, 'http://www.opengis.net/om/2.0', '2.0.0', ...HOSTILE.slice(0, 15)];
  const text = fc.oneof({ weight: 3, arbitrary: fc.constantFrom(...texts) }, { weight: 1, arbitrary: fc.string({ maxLength: 20 }) });
  const attrs = fc.dictionary(fc.constantFrom(...ATTRS), text, { maxKeys: 3 });
  const { tree } = fc.letrec<{ tree: string }>((tie) => ({
    tree: fc.oneof(
      { depthSize: 'small', withCrossShrink: true },
      text.map(esc),
      fc
        .tuple(fc.constantFrom(...ELEMENTS), attrs, fc.array(tie('tree'), { maxLength: 4 }))
        .map(([name, a, kids]) => `<${name}${Object.entries(a).map(([k, v]) => ` ${k}="${esc(v)}"`).join('')}>${kids.join('')}</${name}>`),
    ),
  }));
  return fc
    .record({
      endpoint: fc.constantFrom('ows', 'wfs', 'sos'),
      root: fc.constantFrom(...ROOTS),
      service: fc.constantFrom('WFS', 'SOS', 'x', undefined),
      version: fc.constantFrom('2.0.0', '1.1.0', '1.0.0', '9', undefined),
      more: attrs,
      kids: fc.array(tree, { maxLength: 5 }),
    })
    .map((r) => {
      const a = { ...r.more, ...(r.service ? { service: r.service } : {}), ...(r.version ? { version: r.version } : {}) };
      const attrText = Object.entries(a).map(([k, v]) => ` ${k}="${esc(v)}"`).join('');
      return { endpoint: r.endpoint, xml: `<?xml version="1.0" encoding="UTF-8"?><${r.root} ${DECLS}${attrText}>${r.kids.join('')}</${r.root}>` };
    });
}

test('XML (POST): random request documents built from the WFS/FES/GML/SOS vocabulary', async () => {
  await fc.assert(
    fc.asyncProperty(xmlRequest(ids), async (r) => {
      if (r.xml.includes(esc(ids.offering))) stats.xmlWithRealOffering++;
      await check('POST', `/${r.endpoint}`, r.xml);
    }),
    { numRuns: 200 },
  );
}, PROPERTY_MS);

test('XML (POST): valid requests mutated (truncated, characters inserted or removed)', async () => {
  const valid = [
    `<wfs:GetFeature service="WFS" version="2.0.0" count="5" ${DECLS}><wfs:Query typeNames="reef:Station"><fes:Filter><fes:PropertyIsLike wildCard="*" singleChar="?" escapeChar="\\"><fes:ValueReference>name</fes:ValueReference><fes:Literal>A*</fes:Literal></fes:PropertyIsLike></fes:Filter></wfs:Query></wfs:GetFeature>`,
    `<sos:GetObservation service="SOS" version="2.0.0" ${DECLS}><sos:offering>${esc(ids.offering)}</sos:offering><sos:temporalFilter><fes:During><fes:ValueReference>om:phenomenonTime</fes:ValueReference><gml:TimePeriod gml:id="t1"><gml:beginPosition>2024-01-01T00:00:00Z</gml:beginPosition><gml:endPosition>2024-01-02T00:00:00Z</gml:endPosition></gml:TimePeriod></fes:During></sos:temporalFilter></sos:GetObservation>`,
  ];
  const mutation = fc.record({
    doc: fc.constantFrom(...valid),
    at: fc.nat(),
    cut: fc.nat({ max: 20 }),
    insert: fc.oneof(fc.constantFrom('<', '>', '&', '"', '</x>', '<!--', ']]>', '<![CDATA[', '<!DOCTYPE x>', 'xmlns:fes="urn:x"', '\u0000'), fc.string({ maxLength: 5 })),
  });
  await fc.assert(
    fc.asyncProperty(mutation, async (m) => {
      const i = m.at % m.doc.length;
      const body = m.doc.slice(0, i) + m.insert + m.doc.slice(i + m.cut);
      await check('POST', body.includes('sos:') ? '/sos' : '/wfs', body);
    }),
    { numRuns: 200 },
  );
}, PROPERTY_MS);

test('arbitrary bytes as a POST body, with assorted content types', async () => {
  await fc.assert(
    fc.asyncProperty(fc.uint8Array({ maxLength: 400 }), fc.constantFrom('application/xml', 'text/xml; charset=latin1', 'application/x-www-form-urlencoded', 'application/octet-stream', 'text/plain; charset=nope'), fc.constantFrom('/ows', '/wfs', '/sos'), async (bytes, type, path) => {
      await check('POST', path, bytes, type);
    }),
    { numRuns: 100 },
  );
}, PROPERTY_MS);

test('the fuzzing really exercised both outcomes and validated errors', () => {
  expect(stats.requests).toBeGreaterThan(850);
  expect(stats.ok).toBeGreaterThan(20);
  expect(stats.errors).toBeGreaterThan(100);
  expect(stats.validated).toBeGreaterThan(10);
  expect(stats.invalidParamLocators).toBeGreaterThan(30);
  // The generators hold the server's real identifiers, not placeholders: requests reach past "unknown offering".
  expect(stats.kvpWithRealOffering).toBeGreaterThan(10);
  expect(stats.xmlWithRealOffering).toBeGreaterThan(10);
});
