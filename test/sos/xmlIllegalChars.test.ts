import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { importDirectory } from '../../src/ingest/importer';
import { createTestApp, TestApp } from '../helpers/app';
import { expectValidXml } from '../helpers/xmllint';
import { SOS_SAMS_XSD } from './helpers';

/**
 * Names come from the data providers' files. Characters that XML 1.0 cannot carry (C0 controls other
 * than tab/CR/LF, U+FFFE/U+FFFF) must never make a document unparsable, whichever encoder writes it:
 * one escaping rule for every SOS and WFS document, templates and builders alike.
 */
const BAD_NAME = 'Récif\u0001 Île\u000B <Phare> & "Amédée"\uFFFE';
const BAD_LABEL = 'Sea\u0002 temperature\u001F';
const CODE = 'XMLBAD_TEMP';
const STATION = 'XMLBAD_ST';

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp({}, 'empty');
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rg-xmlbad-'));
  const q = (s: string) => `"${s.replace(/"/g, '""')}"`;
  fs.writeFileSync(path.join(dir, 'stations.csv'), `station_id,name,network,producer,country,lat,lon,depth_m\n${STATION},${q(BAD_NAME)},ReefTEMPS,IRD\u0003 Nouméa,NCL,-22.4775,166.4675,12\n`);
  fs.writeFileSync(
    path.join(dir, 'datasets.csv'),
    `dataset_id,station_id,property_code,standard_name,property_label,uom,processing,instrument_family,start,end\n${CODE},${STATION},TEMP,sea_water_temperature,${q(BAD_LABEL)},Cel,RAW DATA,SBE56,2024-01-01T00:00:00Z,2024-01-01T02:00:00Z\n`,
  );
  fs.writeFileSync(path.join(dir, 'observations.csv'), `dataset_id,time,value,qc\n${CODE},2024-01-01T00:00:00Z,25.1,1\n${CODE},2024-01-01T01:00:00Z,25.2,1\n${CODE},2024-01-01T02:00:00Z,25.3,1\n`);
  await importDirectory(t.db.store, dir);
});
afterAll(async () => {
  await t?.close();
});

/** Strict well-formedness (libxml2), for documents whose schemas are not in the offline set. */
function expectWellFormed(xml: string): void {
  execFileSync('xmllint', ['--noout', '-'], { input: xml });
}

/** Fetches a SOS document and checks it carries no forbidden character; `named`: the document shows a name. */
async function sos(qs: string, named = true): Promise<string> {
  const r = await t.http.get(`/sos?${qs}`);
  const body = typeof r.body === 'string' && r.body.length ? r.body : r.text;
  expect([r.status, r.status === 200 ? '' : body]).toEqual([200, '']);
  // The name really reached the document (its forbidden characters replaced), so the check is about it.
  if (named) expect(body).toMatch(/Récif\uFFFD Île\uFFFD &lt;Phare&gt;|Sea\uFFFD temperature\uFFFD/);
  expect(body).not.toMatch(/[\u0001-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]/);
  expectWellFormed(body);
  return body;
}

test('the imported names really hold the forbidden characters', async () => {
  const r = await t.db.store.query<{ name: string }>('SELECT name FROM station WHERE code = $1', [STATION]);
  expect(r.rows[0].name).toContain('\u0001');
});

test('SOS 2.0 capabilities, DescribeSensor and GetFeatureOfInterest stay valid', async () => {
  expectValidXml(await sos('service=SOS&request=GetCapabilities&acceptversions=2.0.0'), 'sos20');
  const sml = await sos(`service=SOS&version=2.0.0&request=DescribeSensor&procedure=${STATION}_SBE56&procedureDescriptionFormat=${encodeURIComponent('http://www.opengis.net/sensorml/2.0')}`);
  expect(sml).toContain('<swes:DescribeSensorResponse');
  expectValidXml(await sos(`service=SOS&version=2.0.0&request=GetFeatureOfInterest&featureOfInterest=${STATION}`), SOS_SAMS_XSD);
});

test('O&M 2.0 and WaterML 2.0 observations stay valid', async () => {
  const om = await sos(`service=SOS&version=2.0.0&request=GetObservation&offering=${CODE}`, false); // O&M 2.0 links the station by id
  expect(om).toContain('<om:OM_Observation ');
  expectValidXml(om, 'sos20');
  expectValidXml(om, SOS_SAMS_XSD);
  const wml = await sos(`service=SOS&version=2.0.0&request=GetObservation&offering=${CODE}&responseFormat=${encodeURIComponent('http://www.opengis.net/waterml/2.0')}`);
  expect(wml).toContain('wml2:');
  expectValidXml(wml, 'sos20');
});

test('SOS 1.0 capabilities and O&M 1.0 observations stay well-formed', async () => {
  const caps = await sos('service=SOS&request=GetCapabilities&acceptversions=1.0.0');
  expect(caps).toContain('ObservationOffering');
  const om10 = await sos(`service=SOS&version=1.0.0&request=GetObservation&offering=${CODE}&observedProperty=${encodeURIComponent('http://vocab.nerc.ac.uk/standard_name/sea_water_temperature/')}&responseFormat=${encodeURIComponent('text/xml;subtype="om/1.0.0"')}`);
  expect(om10).toContain('om:');
});

test('WFS stations (GML 3.2, GML 2) carry the name with the same rule', async () => {
  for (const [version, fmt] of [['2.0.0', ''], ['1.0.0', '']] as const) {
    const r = await t.http.get(`/wfs?service=WFS&version=${version}&request=GetFeature&${version === '2.0.0' ? 'typeNames' : 'typeName'}=reef:Station${fmt}`);
    expect(r.status).toBe(200);
    const body = r.text;
    expect(body).toMatch(/Récif\uFFFD Île\uFFFD &lt;Phare&gt;/);
    expect(body).not.toMatch(/[\u0001-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]/);
    expectWellFormed(body);
    if (version === '2.0.0') expectValidXml(body, 'wfs20');
  }
});
