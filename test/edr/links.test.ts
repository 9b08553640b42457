import { XMLParser } from 'fast-xml-parser';
import { createTestApp, TestApp } from '../helpers/app';
import { datasetInfo, edrGet } from './helpers';

/**
 * Every dataset's EDR URL is published beside its SOS and CSV links — the Dataset feature (WFS and
 * OGC API), the ISO 19139 record, the network's collection record — and answers that dataset's series.
 */
let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
});
afterAll(async () => {
  await t?.close();
});

const local = (href: string) => {
  const u = new URL(href);
  return `${u.pathname}${u.search}`;
};
const parser = new XMLParser({ ignoreAttributes: false, removeNSPrefix: true, isArray: (name) => name === 'onLine' });

it('each Dataset feature carries edrUrl, which answers a Coverage of that dataset (WFS and OGC API alike)', async () => {
  const oapi = (await edrGet(t, '/ogcapi/collections/datasets/items?limit=100')).json.features as any[];
  const wfs = JSON.parse((await t.http.get('/wfs?service=WFS&version=2.0.0&request=GetFeature&typenames=reef:Dataset&outputformat=application/json').set('Host', 'rg.test')).text).features as any[];
  expect(oapi.length).toBeGreaterThan(50);
  expect(wfs.map((f) => f.properties.edrUrl)).toEqual(oapi.map((f) => f.properties.edrUrl));
  const info = await datasetInfo(t.db.store);
  for (const f of oapi) {
    const p = f.properties;
    const d = info.get(f.id)!;
    expect(p.edrUrl).toBe(`http://rg.test/ogcapi/collections/insitu/locations/${d.station}?parameter-name=${d.property}`);
    const r = await edrGet(t, `${local(p.edrUrl)}&downsample=4`);
    expect({ id: f.id, status: r.status }).toEqual({ id: f.id, status: 200 });
    expect(r.json.type).toBe('Coverage');
    expect(r.json.id).toBe(f.id);
  }
});

it('the ISO 19139 record of a dataset lists its EDR series beside the SOS and CSV links; the collection record the EDR collection', async () => {
  const code = 'AMEDEE_TEMP_0A_SBE56';
  const md = parser.parse((await t.http.get(`/metadata/${code}.xml`).set('Host', 'rg.test')).text).MD_Metadata;
  const links = md.distributionInfo.MD_Distribution.transferOptions.MD_DigitalTransferOptions.onLine.map((o: any) => ({
    url: o.CI_OnlineResource.linkage.URL,
    protocol: o.CI_OnlineResource.protocol.CharacterString,
  }));
  expect(links.map((l: any) => l.protocol)).toEqual(expect.arrayContaining(['OGC:SOS', 'WWW:DOWNLOAD-1.0-http--download', 'OGC:API-EDR']));
  const edr = links.find((l: any) => l.protocol === 'OGC:API-EDR').url;
  expect(edr).toBe('http://rg.test/ogcapi/collections/insitu/locations/NCL_AMEDEE?parameter-name=TEMP');
  expect((await edrGet(t, `${local(edr)}&downsample=4`)).json.id).toBe(code);
  const rec = parser.parse((await t.http.get('/metadata/Dataset.xml').set('Host', 'rg.test')).text).MD_Metadata;
  const urls = rec.distributionInfo.MD_Distribution.transferOptions.MD_DigitalTransferOptions.onLine.map((o: any) => o.CI_OnlineResource.linkage.URL);
  expect(urls).toContain('http://rg.test/ogcapi/collections/insitu');
});
