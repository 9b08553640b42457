import fc from 'fast-check';
import { XMLValidator } from 'fast-xml-parser';
import { createTestApp, TestApp, textBody } from '../helpers/app';
import { validateXml } from '../helpers/xmllint';

/**
 * Random and hostile values through every WFS KVP parameter and through FES literals and ValueReferences:
 * the answer is always a valid result or a schema-valid ExceptionReport with a 4xx status, never a 500
 * and never a leaked SQL error.
 */

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
});
afterAll(async () => {
  await t?.close();
});

const HOSTILE = [
  "' OR 1=1--", "1; DROP TABLE station;--", "\u0000", "%00", '-1', '0', '99999999999999999999', '1e309', 'NaN', 'Infinity', '<x>', ']]>', '&amp;', '(', ')', 'xmlns(', 'xmlns(reef,', '(reef:Station)(reef:Dataset)',
  'reef:Station', 'reef:Observation', '@gml:id', 'geom', 'depth DESC', 'time', 'urn:ogc:def:crs:EPSG::4326', 'EPSG:99999', '-90,-180,90,180', '10,10,-10,-10,EPSG:4326', '1,2,3', 'a,b,c,d',
  'Station.NCL_POE', 'Observation.X.1', 'Observation..', '$1', '\\', '"', "'", '${jndi:ldap://x}', '../../etc/passwd', 'ſtation', '𝕊tation', ' ', '', ',,,', 'A'.repeat(5000),
  // Keys that an object used as a lookup table would inherit.
  '__proto__', 'constructor', 'toString', 'hasOwnProperty', 'valueOf',
];

const value = fc.oneof(
  fc.constantFrom(...HOSTILE),
  fc.string({ maxLength: 40 }),
  fc.string({ unit: 'grapheme', maxLength: 20 }),
  fc.integer().map(String),
  fc.double().map(String),
  fc.array(fc.constantFrom(...HOSTILE.slice(0, 30)), { maxLength: 4 }).map((a) => a.join(',')),
);

/** True when the text leaks database or runtime internals. */
const leaks = (s: string) => /syntax error at|relation "|column "|pg_|stack|at Object\.|TypeError|ReferenceError/i.test(s);

let validated = 0;
const seenErrors = new Set<string>();

async function check(query: string): Promise<void> {
  const r = await t.http.get(`/wfs?${query}`).buffer(true).parse(textBody);
  const body: string = r.body;
  if (r.status >= 500 || leaks(body)) throw new Error(`${r.status} for ${query}\n${body.slice(0, 600)}`);
  const type = String(r.headers['content-type'] ?? '');
  if (r.status >= 400) {
    if (!body.includes('<ows:ExceptionReport')) throw new Error(`error without ExceptionReport for ${query}`);
    const key = /exceptionCode="([^"]+)" locator="([^"]*)"/.exec(body)?.slice(1).join('/') ?? body;
    // Every distinct code/locator pair goes through xmllint; the rest must at least be well-formed.
    if (!seenErrors.has(key)) {
      seenErrors.add(key);
      const v = validateXml(body, 'wfs20');
      if (!v.ok) throw new Error(`invalid ExceptionReport for ${query}: ${v.output}`);
      validated++;
    } else if (XMLValidator.validate(body) !== true) throw new Error(`malformed ExceptionReport for ${query}`);
    return;
  }
  if (/json/.test(type)) JSON.parse(body);
  else if (/xml/.test(type) && XMLValidator.validate(body) !== true) throw new Error(`malformed XML for ${query}`);
}

const enc = encodeURIComponent;
const GF = 'service=WFS&version=2.0.0&request=GetFeature';
/** A well-formed request per parameter, into which the fuzzed value is put. */
const TARGETS: [string, string][] = [
  ['typenames', `${GF}&count=3`],
  ['typename', `service=WFS&version=2.0.0&request=DescribeFeatureType`],
  ['namespaces', `${GF}&typenames=reef:Station&count=3`],
  ['count', `${GF}&typenames=reef:Station`],
  ['maxfeatures', `service=WFS&version=1.1.0&request=GetFeature&typename=reef:Station`],
  ['startindex', `${GF}&typenames=reef:Observation&count=3`],
  ['resulttype', `${GF}&typenames=reef:Station&count=3`],
  ['srsname', `${GF}&typenames=reef:Station&count=3`],
  ['bbox', `${GF}&typenames=reef:Station&count=3`],
  ['filter', `${GF}&typenames=reef:Station&count=3`],
  ['resourceid', `${GF}&count=3`],
  ['sortby', `${GF}&typenames=reef:Observation&count=3`],
  ['propertyname', `${GF}&typenames=reef:Station&count=3`],
  ['outputformat', `${GF}&typenames=reef:Station&count=3`],
  ['storedquery_id', `${GF}&id=Station.NCL_POE`],
  ['id', `${GF}&storedquery_id=urn:ogc:def:query:OGC-WFS::GetFeatureById`],
  ['valuereference', `service=WFS&version=2.0.0&request=GetPropertyValue&typenames=reef:Dataset&count=3`],
  ['version', `service=WFS&request=GetFeature&typenames=reef:Station&count=3`],
  ['request', `service=WFS&version=2.0.0`],
  ['acceptversions', `service=WFS&request=GetCapabilities&sections=ServiceIdentification`],
  ['sections', `service=WFS&request=GetCapabilities`],
];

describe('KVP fuzzing', () => {
  it.each(TARGETS)('%s: never a 500, always a valid result or ExceptionReport', async (param, base) => {
    await fc.assert(
      fc.asyncProperty(value, async (v) => {
        await check(`${base}&${param}=${enc(v)}`);
      }),
      { numRuns: 70 },
    );
  });

  it('FES literals and ValueReferences (escaped and raw) never cause a 500 or a SQL error', async () => {
    const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
    const ops = ['PropertyIsEqualTo', 'PropertyIsLessThan', 'PropertyIsGreaterThanOrEqualTo', 'PropertyIsNotEqualTo'];
    const refs = fc.oneof(fc.constantFrom('depth', 'reef:name', 'firstObservation', 'datasetCount', 'geom', '@gml:id', 'observationsUrl', 'reef:Station/reef:depth', 'nope'), value);
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...ops), refs, value, fc.boolean(), fc.constantFrom('Station', 'Dataset', 'Observation'), async (op, ref, lit, raw, type) => {
        const r = raw ? ref : esc(ref);
        const l = raw ? lit : esc(lit);
        const f = `<fes:Filter xmlns:fes="http://www.opengis.net/fes/2.0"><fes:${op}><fes:ValueReference>${r}</fes:ValueReference><fes:Literal>${l}</fes:Literal></fes:${op}></fes:Filter>`;
        await check(`${GF}&typenames=reef:${type}&count=2&filter=${enc(f)}`);
      }),
      { numRuns: 300 },
    );
    const like = fc.asyncProperty(value, async (p) => {
      const f = `<fes:Filter xmlns:fes="http://www.opengis.net/fes/2.0"><fes:PropertyIsLike wildCard="*" singleChar="?" escapeChar="\\"><fes:ValueReference>name</fes:ValueReference><fes:Literal>${esc(p)}</fes:Literal></fes:PropertyIsLike></fes:Filter>`;
      await check(`${GF}&typenames=reef:Station&count=2&filter=${enc(f)}`);
    });
    await fc.assert(like, { numRuns: 100 });
  });

  afterAll(() => {
    // The schema check really ran on the error kinds seen.
    expect(validated).toBeGreaterThan(5);
  });
});
