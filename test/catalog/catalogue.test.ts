import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { XMLParser } from 'fast-xml-parser';
import { importDirectory } from '../../src/ingest/importer';
import { loadCatalogue } from '../../src/query/catalogue';
import { createTestApp, TestApp } from '../helpers/app';

/**
 * One catalogue: WFS feature types, SOS offerings and ISO records are read from the same objects, so
 * they list the same stations and datasets with the same facts as the tables hold; and an import in
 * this process is seen at once by every reader (the catalogue is reused between requests).
 */
let t: TestApp;
const parser = new XMLParser({ ignoreAttributes: false, removeNSPrefix: true });

beforeAll(async () => {
  t = await createTestApp({ metadataUrlTemplate: 'https://catalogue.example.org/records/{id}' });
});
afterAll(async () => {
  await t?.close();
});

/** Every feature of a WFS type as GeoJSON (the demo network fits one page). */
async function wfsFeatures(type: string): Promise<{ id: string; properties: Record<string, unknown>; geometry: { coordinates: number[] } }[]> {
  const r = await t.http.get(`/wfs?SERVICE=WFS&VERSION=2.0.0&REQUEST=GetFeature&TYPENAMES=reef:${type}&OUTPUTFORMAT=application/json&COUNT=10000`);
  expect(r.status).toBe(200);
  return JSON.parse(r.text).features;
}

test('the catalogue holds the tables: every dataset linked to its station, property (CF name, vocabulary URI, UCUM unit) and sensor', async () => {
  const cat = await loadCatalogue(t.db.store);
  const rows = await t.db.store.query<{ code: string; station: string; network: string; standard_name: string; vocabulary_uri: string; uom: string; sensor: string; obs: string }>(
    `SELECT d.code, s.code AS station, n.name AS network, p.standard_name, p.vocabulary_uri, p.uom, se.code AS sensor,
            (SELECT count(*) FROM observation o WHERE o.dataset_id = d.id) AS obs
       FROM dataset d JOIN station s ON s.id = d.station_id JOIN network n ON n.id = s.network_id
       JOIN observed_property p ON p.id = d.property_id JOIN sensor se ON se.id = d.sensor_id ORDER BY d.code`,
  );
  expect(rows.rows.length).toBeGreaterThan(10);
  expect(cat.datasets.map((d) => d.code)).toEqual(rows.rows.map((r) => r.code));
  for (const [i, d] of cat.datasets.entries()) {
    const r = rows.rows[i];
    expect([d.station.code, d.station.network.name, d.property.standardName, d.property.vocabularyUri, d.property.uom, d.sensor.code, d.obsCount]).toEqual([
      r.station,
      r.network,
      r.standard_name,
      r.vocabulary_uri,
      r.uom,
      r.sensor,
      Number(r.obs),
    ]);
    // Linked by reference: the dataset's station is the catalogue's station object, as is its sensor's.
    expect(cat.stations).toContain(d.station);
    expect(d.sensor.station).toBe(d.station);
    expect(cat.datasetByCode.get(d.code)).toBe(d);
  }
});

test('WFS Dataset features, SOS offerings and ISO records list the same datasets with the same facts', async () => {
  const cat = await loadCatalogue(t.db.store);
  const features = await wfsFeatures('Dataset');
  expect(features.map((f) => f.properties.datasetId).sort()).toEqual(cat.datasets.map((d) => d.code).sort());
  const caps = parser.parse((await t.http.get('/sos?service=SOS&request=GetCapabilities&acceptversions=2.0.0')).text);
  const offerings = [caps.Capabilities.contents.Contents.offering].flat().map((o: { ObservationOffering: Record<string, unknown> }) => o.ObservationOffering);
  expect(offerings.map((o) => o.identifier).sort()).toEqual(cat.datasets.map((d) => d.code).sort());
  for (const d of cat.datasets.slice(0, 5)) {
    const f = features.find((x) => x.properties.datasetId === d.code)!;
    expect([f.properties.stationId, f.properties.standardName, f.properties.uom, f.properties.observationCount]).toEqual([d.station.code, d.property.standardName, d.property.uom, d.obsCount]);
    expect(f.geometry.coordinates).toEqual([d.station.lon, d.station.lat]);
    const o = offerings.find((x) => x.identifier === d.code)!;
    expect([o.procedure, o.observableProperty]).toEqual([d.sensor.code, d.property.vocabularyUri]);
    const rec = await t.http.get(`/metadata/${encodeURIComponent(d.code)}.xml`);
    expect(rec.status).toBe(200);
    expect(rec.text).toContain(`<gco:CharacterString>${d.property.standardName}</gco:CharacterString>`);
    expect(rec.text).toContain(`<gco:Decimal>${d.station.lon}</gco:Decimal>`);
  }
});

test('the WFS extents are the boxes of the catalogue stations that carry each type', async () => {
  const cat = await loadCatalogue(t.db.store);
  const caps = parser.parse((await t.http.get('/wfs?SERVICE=WFS&REQUEST=GetCapabilities&VERSION=2.0.0')).text);
  const station = caps.WFS_Capabilities.FeatureTypeList.FeatureType[0];
  const [w, s] = String(station.WGS84BoundingBox.LowerCorner).split(' ').map(Number);
  const [e, n] = String(station.WGS84BoundingBox.UpperCorner).split(' ').map(Number);
  expect([w, s, e, n]).toEqual([
    Math.min(...cat.stations.map((x) => x.lon)),
    Math.min(...cat.stations.map((x) => x.lat)),
    Math.max(...cat.stations.map((x) => x.lon)),
    Math.max(...cat.stations.map((x) => x.lat)),
  ]);
});

test('an import in this process is seen at once by WFS extents, SOS offerings and ISO records', async () => {
  // Warm the catalogue first, so the import has a cached copy to replace.
  await loadCatalogue(t.db.store);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rg-catalogue-'));
  fs.writeFileSync(path.join(dir, 'stations.csv'), 'station_id,name,network,producer,country,lat,lon,depth_m\nCAT_FAR,Far south,ReefTEMPS,IRD,NCL,-60.5,150.25,5\n');
  fs.writeFileSync(
    path.join(dir, 'datasets.csv'),
    'dataset_id,station_id,property_code,standard_name,property_label,uom,processing,instrument_family,start,end\nCAT_FAR_TEMP,CAT_FAR,TEMP,sea_water_temperature,Sea temperature,Cel,RAW DATA,SBE56,2024-01-01T00:00:00Z,2024-01-01T01:00:00Z\n',
  );
  fs.writeFileSync(path.join(dir, 'observations.csv'), 'dataset_id,time,value,qc\nCAT_FAR_TEMP,2024-01-01T00:00:00Z,3.5,1\nCAT_FAR_TEMP,2024-01-01T01:00:00Z,3.6,1\n');
  await importDirectory(t.db.store, dir);
  const caps = parser.parse((await t.http.get('/wfs?SERVICE=WFS&REQUEST=GetCapabilities&VERSION=2.0.0')).text);
  for (const ft of caps.WFS_Capabilities.FeatureTypeList.FeatureType) expect(Number(String(ft.WGS84BoundingBox.LowerCorner).split(' ')[1])).toBe(-60.5);
  expect((await t.http.get('/metadata/CAT_FAR_TEMP.xml')).status).toBe(200);
  const sos = await t.http.get('/sos?service=SOS&version=2.0.0&request=GetObservation&offering=CAT_FAR_TEMP&responseFormat=text/csv');
  expect(sos.status).toBe(200);
  expect(sos.text.trim().split('\n')).toHaveLength(3);
});
