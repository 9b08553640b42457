import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import { createTestDb, TestDb } from '../helpers/testStore';
import { formatImportSummary, ImportError, importDirectory } from '../../src/ingest/importer';
import { Store } from '../../src/data/store';
import { DEMO_DIR } from '../helpers/env';
import { writeImportSet } from '../helpers/importSet';

const STATIONS = `station_id,name,network,producer,country,lat,lon,depth_m
NCL_A,"Station A, lagoon",ReefTEMPS,IRD Nouméa,NCL,-22.3,166.4,5
WLF_B,Station B,ReefTEMPS,IRD Nouméa,WLF,-13.28,-176.17,6
`;
const DATASETS = `dataset_id,station_id,property_code,standard_name,property_label,uom,processing,instrument_family,start,end
A_TEMP,NCL_A,TEMP,sea_water_temperature,Sea temperature,Cel,RAW DATA,SBE56,2024-01-01T00:00:00Z,2024-01-01T03:00:00Z
B_TEMP,WLF_B,TEMP,sea_water_temperature,Sea temperature,Cel,RAW DATA,SBE56,2024-01-01T00:00:00Z,2024-01-01T03:00:00Z
B_PSAL,WLF_B,PSAL,sea_water_practical_salinity,Sea practical salinity,1,RAW DATA,SBE37,2024-01-01T00:00:00Z,2024-01-01T03:00:00Z
`;
const OBS = `dataset_id,time,value,qc
A_TEMP,2024-01-01T00:00:00Z,25.1,1
A_TEMP,2024-01-01T01:00:00Z,25.2,1
A_TEMP,2024-01-01T02:00:00Z,25.3,3
B_TEMP,2024-01-01T00:00:00Z,27.0,1
B_TEMP,2024-01-01T01:00:00Z,27.5,4
B_PSAL,2024-01-01T00:00:00Z,35.1,1
`;

const writeSet = (files: Record<string, string | Buffer>) => writeImportSet(files, 'rg-import-');

async function counts(store: Store) {
  const r = await store.query<{ st: number; ds: number; obs: number; runs: number }>(
    `SELECT (SELECT count(*)::int FROM station) st, (SELECT count(*)::int FROM dataset) ds,
            (SELECT count(*)::int FROM observation) obs, (SELECT count(*)::int FROM import_run) runs`,
  );
  return r.rows[0];
}

describe('importer (both backends)', () => {
  let db: TestDb;
  beforeAll(async () => {
    db = await createTestDb('empty');
  });
  afterAll(async () => {
    await db.drop();
  });

  it('imports a set, and importing it again changes nothing', async () => {
    const dir = writeSet({ 'stations.csv': STATIONS, 'datasets.csv': DATASETS, 'observations.csv': OBS });
    const first = await importDirectory(db.store, dir);
    expect(first.observations).toEqual({ read: 6, inserted: 6, corrected: 0, unchanged: 0, written: 6 });
    expect(first.changed).toBe(true);
    const c1 = await counts(db.store);
    expect(c1).toMatchObject({ st: 2, ds: 3, obs: 6 });
    const second = await importDirectory(db.store, dir);
    expect(second.changed).toBe(false);
    expect(second.observations.written).toBe(0);
    expect(await counts(db.store)).toMatchObject({ st: 2, ds: 3, obs: 6 });
    const st = await db.store.query<{ name: string; lon: number; lat: number }>("SELECT name, ST_X(geom) lon, ST_Y(geom) lat FROM station WHERE code = 'NCL_A'");
    expect(st.rows[0]).toEqual({ name: 'Station A, lagoon', lon: 166.4, lat: -22.3 });
  });

  it('counts each kind of record on its own summary line (observed properties are not datasets)', async () => {
    // The set of the first test, again, with one property relabelled in both of its rows.
    const dir = writeSet({ 'stations.csv': STATIONS, 'datasets.csv': DATASETS.replaceAll('Sea temperature', 'Sea water temperature') });
    const s = await importDirectory(db.store, dir);
    expect(s.stations).toEqual({ read: 2, written: 0 });
    expect(s.datasets).toEqual({ read: 3, written: 0 });
    expect(s.observedProperties).toEqual({ read: 2, written: 1 });
    expect(s.observations).toEqual({ read: 0, inserted: 0, corrected: 0, unchanged: 0, written: 0 });
    expect(s.changed).toBe(true);
    const lines = formatImportSummary(s).split('\n');
    expect(lines.slice(1)).toEqual(['  stations 0/2 written', '  datasets 0/3 written', '  observed properties 1/2 written', '  observations 0/0 written']);

    // A fresh set on an empty network: 2 new datasets over 1 new property are 2 datasets, not 3.
    const fresh = writeSet({
      'stations.csv': STATIONS.replace(/NCL_A/g, 'NCL_C').replace(/WLF_B/g, 'WLF_D'),
      'datasets.csv': 'dataset_id,station_id,property_code,standard_name,property_label,uom,processing,instrument_family,start,end\n' +
        'C_DOX,NCL_C,DOX2,moles_of_oxygen_per_unit_mass_in_sea_water,Dissolved oxygen,umol/kg,RAW DATA,SBE63,,\n' +
        'D_DOX,WLF_D,DOX2,moles_of_oxygen_per_unit_mass_in_sea_water,Dissolved oxygen,umol/kg,RAW DATA,SBE63,,\n',
    });
    const f = await importDirectory(db.store, fresh);
    expect(f.stations).toEqual({ read: 2, written: 2 });
    expect(f.datasets).toEqual({ read: 2, written: 2 });
    expect(f.observedProperties).toEqual({ read: 1, written: 1 });
    expect(formatImportSummary(f)).toContain('\n  datasets 2/2 written\n');
    await db.store.query(`DELETE FROM dataset WHERE code IN ('C_DOX', 'D_DOX')`);
    await db.store.query(`DELETE FROM sensor WHERE code IN ('NCL_C_SBE63', 'WLF_D_SBE63')`);
    await db.store.query(`DELETE FROM station WHERE code IN ('NCL_C', 'WLF_D')`);
  });

  it('keeps dataset extents and counts from the stored rows, also across a gzip append', async () => {
    const more = 'dataset_id,time,value,qc\nA_TEMP,2024-01-01T03:00:00Z,25.4,1\nA_TEMP,2024-01-01T02:00:00Z,25.35,1\n';
    const dir = writeSet({ 'observations.csv.gz': zlib.gzipSync(more) });
    const s = await importDirectory(db.store, dir);
    expect(s.observations).toEqual({ read: 2, inserted: 1, corrected: 1, unchanged: 0, written: 2 }); // one new row, one changed value
    const r = await db.store.query<{ t0: string; t1: string; n: number }>(
      `SELECT to_char(time_start AT TIME ZONE 'UTC', 'HH24:MI') t0, to_char(time_end AT TIME ZONE 'UTC', 'HH24:MI') t1, obs_count::int n FROM dataset WHERE code = 'A_TEMP'`,
    );
    expect(r.rows[0]).toEqual({ t0: '00:00', t1: '03:00', n: 4 });
    const v = await db.store.query<{ value: number; qc: number }>(`SELECT value, qc FROM observation o JOIN dataset d ON d.id = o.dataset_id WHERE d.code = 'A_TEMP' AND time = '2024-01-01T02:00:00Z'`);
    expect(v.rows[0]).toEqual({ value: 25.35, qc: 1 });
  });

  const bad: [string, Record<string, string>, RegExp][] = [
    ['a bad timestamp', { 'observations.csv': OBS.replace('2024-01-01T01:00:00Z,25.2', '2024-02-30T01:00:00Z,25.2') }, /^observations\.csv:3: column time: invalid ISO 8601 timestamp/],
    ['an unknown dataset id', { 'observations.csv': OBS + 'NOPE,2024-01-01T00:00:00Z,1,1\n' }, /^observations\.csv:8: column dataset_id: unknown dataset "NOPE"/],
    ['a non-numeric value', { 'observations.csv': OBS.replace('27.5,4', 'abc,4') }, /^observations\.csv:6: column value: not a number: "abc"/],
    ['a latitude out of range', { 'stations.csv': STATIONS.replace('-13.28', '-93.5') }, /^stations\.csv:3: column lat: latitude out of range/],
    ['a duplicate (dataset, time), adjacent', { 'observations.csv': OBS + 'B_PSAL,2024-01-01T00:00:00Z,35.2,1\n' }, /^observations\.csv:8: column time: duplicate observation for dataset "B_PSAL"/],
    ['a duplicate (dataset, time), far apart', { 'observations.csv': OBS + 'A_TEMP,2024-01-01T00:30:00Z,1,1\nA_TEMP,2024-01-01T00:00:00Z,9,1\n' }, /^observations\.csv:9: column time: duplicate observation for dataset "A_TEMP" at 2024-01-01T00:00:00Z \(first on line 2\)/],
    ['a bad quality flag', { 'observations.csv': OBS.replace('25.3,3', '25.3,x') }, /^observations\.csv:4: column qc: quality flag must be a digit/],
    ['a wrong number of fields', { 'observations.csv': OBS.replace('27.0,1', '27.0,1,extra') }, /^observations\.csv:5: expected 4 fields, found 5|^observations\.csv:5: column -: expected 4 fields/],
    // Year 0000 is valid ISO 8601 but PostgreSQL refuses it: the importer names the line, not PostgreSQL's text.
    ['a year-0000 timestamp', { 'observations.csv': OBS.replace('2024-01-01T01:00:00Z,25.2', '0000-01-01T01:00:00Z,25.2') }, /^observations\.csv:3: column time: invalid ISO 8601 timestamp: "0000-01-01T01:00:00Z"/],
    ['a year-0000 dataset start', { 'datasets.csv': DATASETS.replace('SBE37,2024-01-01T00:00:00Z', 'SBE37,0000-06-01T00:00:00Z') }, /^datasets\.csv:4: column start: invalid ISO 8601 timestamp/],
    ['an unknown station in datasets.csv', { 'datasets.csv': DATASETS + 'C_TEMP,NOWHERE,TEMP,sea_water_temperature,Sea temperature,Cel,RAW DATA,SBE56,,\n' }, /^datasets\.csv:5: column station_id: unknown station "NOWHERE"/],
  ];

  it.each(bad)('rejects %s with file, line and column, leaving the database unchanged', async (_label, override, message) => {
    const before = await counts(db.store);
    const sum = await db.store.query<{ s: number }>('SELECT coalesce(sum(value), 0)::float8 s FROM observation');
    const dir = writeSet({ 'stations.csv': STATIONS.replace('Station B', 'Station B renamed'), 'datasets.csv': DATASETS, 'observations.csv': OBS, ...override });
    let caught: unknown;
    try {
      await importDirectory(db.store, dir);
    } catch (e) {
      caught = e;
    }
    expect(caught).toBeInstanceOf(ImportError);
    expect((caught as Error).message).toMatch(message);
    expect(await counts(db.store)).toEqual(before);
    expect((await db.store.query<{ s: number }>('SELECT coalesce(sum(value), 0)::float8 s FROM observation')).rows[0].s).toBe(sum.rows[0].s);
    // The station rename in the same run was rolled back too.
    expect((await db.store.query<{ name: string }>("SELECT name FROM station WHERE code = 'WLF_B'")).rows[0].name).toBe('Station B');
  });
});

describe('importer on the demo network', () => {
  let db: TestDb;
  beforeAll(async () => {
    db = await createTestDb('empty');
  });
  afterAll(async () => {
    await db.drop();
  });

  it('gives the same row counts when the generator set is imported twice', async () => {
    const a = await importDirectory(db.store, DEMO_DIR);
    const c1 = await counts(db.store);
    const b = await importDirectory(db.store, DEMO_DIR);
    const c2 = await counts(db.store);
    expect(a.observations.written).toBeGreaterThan(100_000);
    expect(b.observations.written).toBe(0);
    expect({ ...c2, runs: 0 }).toEqual({ ...c1, runs: 0 });
    const lines = zlib.gunzipSync(fs.readFileSync(path.join(DEMO_DIR, 'observations.csv.gz'))).toString().trim().split('\n').length - 1;
    expect(c2.obs).toBe(lines);
    const sum = await db.store.query<{ n: number }>('SELECT sum(obs_count)::int n FROM dataset');
    expect(sum.rows[0].n).toBe(lines);
  });
});
