/** ISO 19139 records per dataset: served at a stable URL, schema-valid, and faithful to the database. */
import { XMLParser } from 'fast-xml-parser';
import { fileIdentifier } from '../../src/metadata/iso19139';
import { metadataUrl } from '../../src/catalog/links';
import { createTestApp, TestApp } from '../helpers/app';
import { expectValidXml, validateXml } from '../helpers/xmllint';

const CODE = 'OUVEA01_TEMP_0A_SBE56';
const parser = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: '@', removeNSPrefix: true, isArray: (name) => ['onLine', 'descriptiveKeywords', 'keyword', 'distributionFormat'].includes(name) });
const text = (n: any): string => n?.CharacterString ?? n?.['#text'] ?? n;

describe('GET /metadata/{datasetCode}.xml', () => {
  let t: TestApp;
  beforeAll(async () => {
    // The compose stack sets METADATA_URL_TEMPLATE to the gateway's own records (docs/deployment.md).
    t = await createTestApp({ threddsUrl: 'https://data.example.org/thredds', trustProxy: true, metadataUrlTemplate: 'https://reef.example.net/metadata/{id}.xml' });
  });
  afterAll(async () => t?.close());

  test('is a valid ISO 19139 record (xmllint against gmd.xsd)', async () => {
    const r = await t.http.get(`/metadata/${CODE}.xml`).expect(200);
    expect(r.headers['content-type']).toMatch(/^application\/xml/);
    expectValidXml(r.text, 'gmd');
  });

  test('every dataset has a valid record', async () => {
    const codes = (await t.db.store.query<{ code: string }>('SELECT code FROM dataset ORDER BY code')).rows.map((r) => r.code);
    expect(codes.length).toBeGreaterThan(50);
    // Validate a spread of datasets (every property and several stations); one xmllint run each.
    const sample = codes.filter((_, i) => i % 5 === 0);
    for (const code of sample) {
      const r = await t.http.get(`/metadata/${encodeURIComponent(code)}.xml`).expect(200);
      const v = validateXml(r.text, 'gmd');
      expect([code, v.ok, v.output]).toEqual([code, true, v.ok ? v.output : v.output]);
    }
  });

  test('the schema check can fail: a record missing its required parts is rejected', async () => {
    const r = await t.http.get(`/metadata/${CODE}.xml`).expect(200);
    const broken = r.text.replace(/<gmd:dateStamp>[\s\S]*?<\/gmd:dateStamp>/, '');
    expect(validateXml(broken, 'gmd').ok).toBe(false);
  });

  test('identifier, title, abstract, extent, contact, keywords agree with the database', async () => {
    const r = await t.http.get(`/metadata/${CODE}.xml`).expect(200);
    const md = parser.parse(r.text).MD_Metadata;
    const row = (
      await t.db.store.query<{ lat: number; lon: number; t0: string; t1: string; n: number; station: string; std: string; producer: string }>(
        `SELECT ST_Y(s.geom) AS lat, ST_X(s.geom) AS lon, s.name AS station, p.standard_name AS std, o.name AS producer, d.obs_count::int AS n,
                to_char(d.time_start AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"') AS t0, to_char(d.time_end AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"') AS t1
           FROM dataset d JOIN station s ON s.id = d.station_id JOIN observed_property p ON p.id = d.property_id LEFT JOIN organisation o ON o.id = s.producer_id
          WHERE d.code = $1`,
        [CODE],
      )
    ).rows[0];
    expect(text(md.fileIdentifier)).toBe(fileIdentifier(CODE));
    const id = md.identificationInfo.MD_DataIdentification;
    expect(text(id.citation.CI_Citation.title)).toContain(row.station);
    expect(text(id.citation.CI_Citation.title)).toContain('Sea temperature');
    expect(text(id.abstract)).toContain(`${row.n} observations`);
    expect(text(id.abstract)).toContain(row.std);
    const bbox = id.extent.EX_Extent.geographicElement.EX_GeographicBoundingBox;
    expect(Number(bbox.westBoundLongitude.Decimal)).toBeCloseTo(row.lon, 9);
    expect(Number(bbox.northBoundLatitude.Decimal)).toBeCloseTo(row.lat, 9);
    const tp = id.extent.EX_Extent.temporalElement.EX_TemporalExtent.extent.TimePeriod;
    expect([tp.beginPosition, tp.endPosition]).toEqual([row.t0, row.t1]);
    const keywords = id.descriptiveKeywords.flatMap((k: any) => k.MD_Keywords.keyword.map(text));
    expect(keywords).toContain('sea_water_temperature');
    const cfThesaurus = id.descriptiveKeywords.find((k: any) => text(k.MD_Keywords.thesaurusName?.CI_Citation.title) === 'CF Standard Name Table');
    expect(cfThesaurus.MD_Keywords.keyword.map(text)).toEqual(['sea_water_temperature']);
    expect(text(md.contact.CI_ResponsibleParty.contactInfo.CI_Contact.address.CI_Address.electronicMailAddress)).toBe(t.config.contactEmail);
    expect(text(id.pointOfContact.CI_ResponsibleParty.organisationName)).toBe(row.producer);
  });

  test('distribution links: WFS, SOS GetObservation, CSV and OPeNDAP, built from the public base URL', async () => {
    const r = await t.http.get(`/metadata/${CODE}.xml`).set('X-Forwarded-Proto', 'https').set('X-Forwarded-Host', 'reef.example.net').expect(200);
    const md = parser.parse(r.text).MD_Metadata;
    const links = md.distributionInfo.MD_Distribution.transferOptions.MD_DigitalTransferOptions.onLine.map((o: any) => ({
      url: o.CI_OnlineResource.linkage.URL,
      protocol: text(o.CI_OnlineResource.protocol),
    }));
    const protocols = links.map((l: any) => l.protocol);
    expect(protocols).toEqual(expect.arrayContaining(['OGC:WFS', 'OGC:SOS', 'WWW:DOWNLOAD-1.0-http--download', 'OPeNDAP:OPeNDAP']));
    for (const l of links.filter((x: any) => x.protocol !== 'OPeNDAP:OPeNDAP' && !x.url.startsWith('https://data.example.org/thredds'))) expect(l.url).toMatch(/^https:\/\/reef\.example\.net\/(wfs|sos|ogcapi)/);
    expect(links.find((l: any) => l.protocol === 'OGC:SOS').url).toBe(`https://reef.example.net/sos?service=SOS&version=2.0.0&request=GetObservation&offering=${CODE}`);
    expect(links.some((l: any) => l.url.endsWith('&responseFormat=text%2Fcsv'))).toBe(true);
    expect(links.find((l: any) => l.protocol === 'OPeNDAP:OPeNDAP').url).toBe(`https://data.example.org/thredds/dodsC/reefgate/${CODE}.nc`);
    expect(text(md.dataSetURI)).toBe(metadataUrl('https://reef.example.net', CODE));
  });

  test('the SOS and CSV links it advertises really answer', async () => {
    const r = await t.http.get(`/metadata/${CODE}.xml`).expect(200);
    const md = parser.parse(r.text).MD_Metadata;
    const urls: string[] = md.distributionInfo.MD_Distribution.transferOptions.MD_DigitalTransferOptions.onLine.map((o: any) => o.CI_OnlineResource.linkage.URL);
    const csv = urls.find((u) => u.includes('responseFormat=text%2Fcsv'))!;
    const path = csv.replace(/^https?:\/\/[^/]+/, '');
    const res = await t.http.get(path).expect(200);
    expect(res.headers['content-type']).toMatch(/^text\/csv/);
    const n = (await t.db.store.query<{ n: number }>('SELECT obs_count::int AS n FROM dataset WHERE code = $1', [CODE])).rows[0].n;
    expect(res.text.trim().split('\n').length).toBeGreaterThanOrEqual(n);
    const sos = urls.find((u) => u.includes('GetObservation') && !u.includes('responseFormat'))!;
    const obs = await t.http.get(sos.replace(/^https?:\/\/[^/]+/, '')).expect(200);
    expect(obs.text).toContain('GetObservationResponse');
    const wfs = urls.find((u) => u.includes('REQUEST=GetFeature'))!;
    const feat = await t.http.get(wfs.replace(/^https?:\/\/[^/]+/, '')).expect(200);
    expect(feat.text).toContain(`gml:id="Dataset.${CODE}"`);
  });

  test('the record is stable: same fileIdentifier and bytes on repeated requests', async () => {
    // Same public host both times (supertest otherwise binds a new port per request).
    const a = await t.http.get(`/metadata/${CODE}.xml`).set('Host', 'reef.test').expect(200);
    const b = await t.http.get(`/metadata/${CODE}.xml`).set('Host', 'reef.test').expect(200);
    expect(a.text).toContain('<gco:CharacterString>reefgate:dataset:OUVEA01_TEMP_0A_SBE56</gco:CharacterString>');
    expect(a.text).toBe(b.text);
  });

  test('unknown dataset → 404 ExceptionReport; a path without .xml → 404', async () => {
    const r = await t.http.get('/metadata/NO_SUCH_DATASET.xml').expect(404);
    expect(r.text).toContain('<ows:ExceptionReport');
    expect(r.text).toContain('locator="datasetCode"');
    expect(r.text).toContain('InvalidParameterValue');
    const r2 = await t.http.get(`/metadata/${CODE}`).expect(404);
    expect(r2.text).toContain('<ows:ExceptionReport');
    // Hostile input is answered, never echoed raw into XML.
    const r3 = await t.http.get(`/metadata/${encodeURIComponent("<x>'&\"")}.xml`).expect(404);
    expect(r3.text).not.toContain("<x>'&");
    expectValidXml(r3.text, 'ows11');
  });

  test('capabilities MetadataURL (feature types) and Dataset features (datasets) resolve to valid records', async () => {
    const caps = await t.http.get('/wfs?SERVICE=WFS&REQUEST=GetCapabilities&VERSION=2.0.0').expect(200);
    const hrefs = [...caps.text.matchAll(/<wfs:MetadataURL xlink:href="([^"]+)"/g)].map((m) => m[1]);
    expect(hrefs).toEqual(['Station', 'Dataset', 'Observation'].map((n) => `https://reef.example.net/metadata/${n}.xml`));
    for (const h of hrefs) {
      const r = await t.http.get(h.replace('https://reef.example.net', '')).expect(200);
      expectValidXml(r.text, 'gmd');
      expect(r.text).toContain('codeListValue="series"');
      expect(r.text).toContain('<gco:CharacterString>sea_water_temperature</gco:CharacterString>');
    }
    const feat = await t.http.get(`/wfs?SERVICE=WFS&VERSION=2.0.0&REQUEST=GetFeature&TYPENAMES=reef:Dataset&RESOURCEID=Dataset.${CODE}`).expect(200);
    expect(feat.text).toContain(`https://reef.example.net/metadata/${CODE}.xml`);
  });
});
