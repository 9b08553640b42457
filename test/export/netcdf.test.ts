/**
 * NetCDF export: files written by our NetCDF-3 writer are opened with Debian's ncdump and checked
 * against the database (variables, units, standard names, global attributes, every value).
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { XMLParser } from 'fast-xml-parser';
import { loadConfig, Config } from '../../src/config/config';
import { exportNetcdf, ExportSummary } from '../../src/export/exportNetcdf';
import { netcdfFileName, opendapUrl } from '../../src/catalog/links';
import { NetcdfWriter } from '../../src/export/netcdf3';
import { QC_FLAG_MEANINGS } from '../../src/export/oceansites';
import { createTestDb, TestDb } from '../helpers/testStore';
import { expectValidXml, hasTool, THREDDS_CATALOG_XSD } from '../helpers/xmllint';

const HAS_NCDUMP = hasTool('ncdump', ['-h']);
const ncdump = (args: string[]) => {
  const r = spawnSync('ncdump', args, { encoding: 'utf8', maxBuffer: 256 * 1024 * 1024 });
  if (r.status !== 0) throw new Error(`ncdump ${args.join(' ')} failed: ${r.stderr}`);
  return r.stdout;
};

/** Values of a variable from `ncdump -v NAME` output ("_" = fill value → null). */
function dumpValues(cdl: string, name: string): (number | null)[] {
  const data = cdl.split(/^data:$/m)[1];
  const m = data.match(new RegExp(`^ ${name} =([\\s\\S]*?);`, 'm'));
  if (!m) throw new Error(`no data for ${name}`);
  return m[1].split(',').map((s) => s.trim()).filter((s) => s !== '').map((s) => (s === '_' ? null : Number(s)));
}
/** Attribute text of `ncdump -h` ("VAR:name = ..." or ":name = ..." for globals). */
function attr(cdl: string, v: string, name: string): string {
  const m = cdl.match(new RegExp(`^\\s*${v}:${name} = (.*) ;$`, 'm'));
  if (!m) throw new Error(`attribute ${v}:${name} missing`);
  return m[1].replace(/^"|"$/g, '');
}

describe('NetCDF export (OceanSITES) read back with ncdump', () => {
  let db: TestDb;
  let dir: string;
  let cfg: Config;
  let summary: ExportSummary;
  const CODE = 'OUVEA01_TEMP_0A_SBE56';

  beforeAll(async () => {
    db = await createTestDb('demo');
    // One missing value with its flag, to check _FillValue handling.
    await db.store.query(`UPDATE observation SET value = NULL, qc = 9 WHERE dataset_id = (SELECT id FROM dataset WHERE code = $1) AND time = '2024-01-23T08:00:00Z'`, [CODE]);
    cfg = loadConfig({ LOG_LEVEL: 'silent', PUBLIC_URL: 'https://data.example.org', THREDDS_URL: 'https://data.example.org/thredds' });
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rg-nc-'));
    summary = await exportNetcdf(db.store, cfg, dir);
  });
  afterAll(async () => {
    await db?.drop();
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  test('one file per dataset, with as many records as observations', async () => {
    const r = await db.store.query<{ code: string; n: number }>('SELECT d.code, count(o.*)::int AS n FROM dataset d LEFT JOIN observation o ON o.dataset_id = d.id GROUP BY d.code ORDER BY d.code');
    expect(summary.files.map((f) => f.code)).toEqual(r.rows.map((x) => x.code));
    expect(summary.files.map((f) => f.records)).toEqual(r.rows.map((x) => x.n));
    expect(fs.readdirSync(dir).filter((f) => f.endsWith('.nc')).length).toBe(r.rows.length);
    expect(fs.readdirSync(dir).filter((f) => f.endsWith('.tmp'))).toEqual([]);
  });

  test('header: OceanSITES dimensions, variables, units, standard names and QC flags', async () => {
    if (!HAS_NCDUMP) return;
    const cdl = ncdump(['-h', path.join(dir, netcdfFileName(CODE))]);
    const n = (await db.store.query<{ n: number }>('SELECT obs_count::int AS n FROM dataset WHERE code = $1', [CODE])).rows[0].n;
    expect(cdl).toMatch(new RegExp(`TIME = UNLIMITED ; // \\(${n} currently\\)`));
    expect(cdl).toMatch(/^\s+DEPTH = 1 ;$/m);
    expect(cdl).toMatch(/^\s+double TIME\(TIME\) ;$/m);
    expect(cdl).toMatch(/^\s+float LATITUDE\(LATITUDE\) ;$/m);
    expect(cdl).toMatch(/^\s+float LONGITUDE\(LONGITUDE\) ;$/m);
    expect(cdl).toMatch(/^\s+float DEPTH\(DEPTH\) ;$/m);
    expect(cdl).toMatch(/^\s+float TEMP\(TIME, DEPTH\) ;$/m);
    expect(cdl).toMatch(/^\s+byte TEMP_QC\(TIME, DEPTH\) ;$/m);
    expect(attr(cdl, 'TIME', 'units')).toBe('days since 1950-01-01T00:00:00Z');
    expect(attr(cdl, 'TIME', 'standard_name')).toBe('time');
    expect(attr(cdl, 'LATITUDE', 'units')).toBe('degrees_north');
    expect(attr(cdl, 'LONGITUDE', 'units')).toBe('degrees_east');
    expect(attr(cdl, 'DEPTH', 'positive')).toBe('down');
    expect(attr(cdl, 'TEMP', 'units')).toBe('degree_Celsius');
    expect(attr(cdl, 'TEMP', 'standard_name')).toBe('sea_water_temperature');
    expect(attr(cdl, 'TEMP', '_FillValue')).toBe('99999.f');
    expect(attr(cdl, 'TEMP', 'ancillary_variables')).toBe('TEMP_QC');
    expect(attr(cdl, 'TEMP_QC', 'flag_values')).toBe('0b, 1b, 2b, 3b, 4b, 5b, 6b, 7b, 8b, 9b');
    expect(attr(cdl, 'TEMP_QC', 'flag_meanings')).toBe(QC_FLAG_MEANINGS.join(' '));
    expect(attr(cdl, 'TEMP_QC', 'conventions')).toBe('OceanSITES reference table 2');
  });

  test('global attributes agree with the database', async () => {
    if (!HAS_NCDUMP) return;
    const cdl = ncdump(['-h', path.join(dir, netcdfFileName(CODE))]);
    const row = (
      await db.store.query<{ station: string; lat: number; lon: number; depth: number; t0: string; t1: string; producer: string }>(
        `SELECT s.code AS station, ST_Y(s.geom) AS lat, ST_X(s.geom) AS lon, s.depth_m AS depth, o.name AS producer,
                to_char(min(ob.time) AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"') AS t0,
                to_char(max(ob.time) AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"') AS t1
           FROM dataset d JOIN station s ON s.id = d.station_id LEFT JOIN organisation o ON o.id = s.producer_id
           JOIN observation ob ON ob.dataset_id = d.id WHERE d.code = $1 GROUP BY s.code, s.geom, s.depth_m, o.name`,
        [CODE],
      )
    ).rows[0];
    expect(attr(cdl, '', 'Conventions')).toMatch(/^CF-1\.6 OceanSITES-1\.4/);
    expect(attr(cdl, '', 'data_type')).toBe('OceanSITES time-series data');
    expect(attr(cdl, '', 'featureType')).toBe('timeSeries');
    expect(attr(cdl, '', 'platform_code')).toBe(row.station);
    expect(attr(cdl, '', 'site_code')).toBe(row.station);
    expect(attr(cdl, '', 'id')).toBe(CODE);
    expect(attr(cdl, '', 'institution')).toBe(row.producer);
    expect(attr(cdl, '', 'data_mode')).toBe('R');
    expect(attr(cdl, '', 'time_coverage_start')).toBe(row.t0);
    expect(attr(cdl, '', 'time_coverage_end')).toBe(row.t1);
    expect(Number(attr(cdl, '', 'geospatial_lat_min'))).toBeCloseTo(row.lat, 9);
    expect(Number(attr(cdl, '', 'geospatial_lon_max'))).toBeCloseTo(row.lon, 9);
    expect(Number(attr(cdl, '', 'geospatial_vertical_min'))).toBe(row.depth);
    expect(attr(cdl, '', 'references')).toContain('https://data.example.org/metadata/OUVEA01_TEMP_0A_SBE56.xml');
    expect(attr(cdl, '', 'title')).toContain('Sea temperature');
  });

  test('every time, value and flag equals the imported rows (fill value where the value is missing)', async () => {
    if (!HAS_NCDUMP) return;
    const cdl = ncdump(['-p', '9,17', '-v', 'TIME,TEMP,TEMP_QC,LATITUDE,LONGITUDE,DEPTH', path.join(dir, netcdfFileName(CODE))]);
    const rows = (
      await db.store.query<{ t: number; value: number | null; qc: number }>(
        'SELECT extract(epoch FROM time)::float8 AS t, value, qc FROM observation WHERE dataset_id = (SELECT id FROM dataset WHERE code = $1) ORDER BY time',
        [CODE],
      )
    ).rows;
    const time = dumpValues(cdl, 'TIME');
    const temp = dumpValues(cdl, 'TEMP');
    const qc = dumpValues(cdl, 'TEMP_QC');
    expect(time.length).toBe(rows.length);
    expect(rows.length).toBeGreaterThan(1000);
    const days = rows.map((r) => (r.t * 1000 - Date.UTC(1950, 0, 1)) / 86_400_000);
    // Times in days since 1950 are exact to well under a second.
    const worstSeconds = Math.max(...time.map((t, i) => Math.abs((t! - days[i]) * 86400)));
    expect(worstSeconds).toBeLessThan(0.001);
    // Values are 32-bit floats: compare at float precision.
    const mismatches = rows.filter((r, i) => (r.value === null ? temp[i] !== null : temp[i] === null || Math.abs(temp[i]! - Math.fround(r.value)) > 1e-5 * Math.abs(r.value)));
    expect(mismatches).toEqual([]);
    expect(qc).toEqual(rows.map((r) => r.qc));
    expect(temp.filter((v) => v === null).length).toBe(1);
    expect(qc[1]).toBe(9);
    const st = (await db.store.query<{ lat: number; lon: number; depth: number }>('SELECT ST_Y(geom) AS lat, ST_X(geom) AS lon, depth_m AS depth FROM station WHERE code = $1', ['NCL_OUVEA01'])).rows[0];
    expect(dumpValues(cdl, 'LATITUDE')[0]).toBeCloseTo(st.lat, 4);
    expect(dumpValues(cdl, 'LONGITUDE')[0]).toBeCloseTo(st.lon, 4);
    expect(dumpValues(cdl, 'DEPTH')[0]).toBe(st.depth);
  });

  test('GDAL opens the files too (netCDF driver): CF attributes and the time series length', async () => {
    if (!hasTool('gdalinfo', ['--version'])) return;
    const file = path.join(dir, netcdfFileName(CODE));
    const n = (await db.store.query<{ n: number }>('SELECT obs_count::int AS n FROM dataset WHERE code = $1', [CODE])).rows[0].n;
    const r = spawnSync('gdalinfo', [file], { encoding: 'utf8' });
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/^Driver: netCDF/m);
    expect(r.stdout).toContain('NC_GLOBAL#platform_code=NCL_OUVEA01');
    expect(r.stdout).toContain(`SUBDATASET_1_DESC=[${n}x1] sea_water_temperature (32-bit floating-point)`);
    const v = spawnSync('gdalinfo', [`NETCDF:"${file}":TEMP`], { encoding: 'utf8' });
    expect(v.status).toBe(0);
    expect(v.stdout).toContain(`Size is 1, ${n}`);
    expect(v.stdout).toContain('TEMP#standard_name=sea_water_temperature');
    expect(v.stdout).toContain('TEMP#units=degree_Celsius');
    expect(v.stdout).toContain('TEMP#_FillValue=99999');
  });

  test('other parameters get their own variable names and CF units', () => {
    if (!HAS_NCDUMP) return;
    const byProp: Record<string, [string, string]> = { PSAL: ['1', 'sea_water_practical_salinity'], PRES: ['decibar', 'sea_water_pressure'], VHM0: ['m', 'sea_surface_wave_significant_height'] };
    for (const [prop, [units, std]] of Object.entries(byProp)) {
      const f = summary.files.find((x) => x.code.includes(`_${prop}_`));
      expect([prop, !!f]).toEqual([prop, true]);
      const cdl = ncdump(['-h', f!.file]);
      expect(attr(cdl, prop, 'units')).toBe(units);
      expect(attr(cdl, prop, 'standard_name')).toBe(std);
      expect(cdl).toMatch(new RegExp(`byte ${prop}_QC\\(TIME, DEPTH\\)`));
    }
  });

  test('THREDDS catalog lists every file with OPeNDAP access; opendapUrl matches it', () => {
    const xml = fs.readFileSync(summary.catalog, 'utf8');
    // THREDDS reads catalogs with this schema: an invalid one would not be picked up.
    expectValidXml(xml, THREDDS_CATALOG_XSD);
    const doc = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: '@' }).parse(xml);
    const cat = doc.catalog;
    expect(cat['@xmlns']).toBe('http://www.unidata.ucar.edu/namespaces/thredds/InvCatalog/v1.0');
    const services = [].concat(cat.service.service).map((s: any) => s['@serviceType']);
    expect(services).toEqual(expect.arrayContaining(['OpenDAP', 'HTTPServer']));
    expect(cat.datasetRoot['@path']).toBe('reefgate');
    const datasets: any[] = [].concat(cat.dataset.dataset);
    expect(datasets.length).toBe(summary.files.length);
    const entry = datasets.find((d) => d['@urlPath'] === `reefgate/${CODE}.nc`);
    expect(entry).toBeDefined();
    expect(entry.timeCoverage.start).toMatch(/^2024-01-23T06:00:00Z$/);
    expect(entry.variables['@vocabulary']).toBe('CF-1.0');
    expect(entry.variables.variable).toMatchObject({ '@name': 'TEMP', '@vocabulary_name': 'sea_water_temperature', '@units': 'degree_Celsius' });
    expect(entry.documentation['@xlink:href']).toBe(`https://data.example.org/metadata/${CODE}.xml`);
    const odap = cat.service.service.find((s: any) => s['@serviceType'] === 'OpenDAP')['@base'];
    expect(opendapUrl(cfg, CODE)).toBe(`https://data.example.org${odap}${entry['@urlPath']}`);
    expect(opendapUrl({ threddsUrl: undefined }, CODE)).toBeUndefined();
  });

  test('exporting one dataset only; an unknown code is refused', async () => {
    const one = fs.mkdtempSync(path.join(os.tmpdir(), 'rg-nc1-'));
    try {
      const s = await exportNetcdf(db.store, cfg, one, { datasets: [CODE] });
      expect(s.files.map((f) => f.code)).toEqual([CODE]);
      await expect(exportNetcdf(db.store, cfg, one, { datasets: ['NOPE'] })).rejects.toThrow(/unknown dataset code/);
    } finally {
      fs.rmSync(one, { recursive: true, force: true });
    }
  });
});

describe('NetCDF-3 writer edge cases', () => {
  test('a single record variable (no record padding), an empty series and text/short data read back', async () => {
    if (!HAS_NCDUMP) return;
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rg-nc3-'));
    try {
      const f = path.join(dir, 'a.nc');
      const w = await NetcdfWriter.create(f, {
        dims: [{ name: 'T', size: 'unlimited' }, { name: 'S', size: 3 }],
        globalAttrs: { note: 'Ouvéa & <chars>', n: { type: 'int', values: [1, -2] } },
        vars: [
          { name: 'label', type: 'char', dims: ['S'], attrs: {}, data: 'abc' },
          { name: 'k', type: 'short', dims: ['S'], attrs: {}, data: [1, -2, 300] },
          { name: 'q', type: 'byte', dims: ['T'], attrs: {} },
        ],
      });
      await w.appendRecords(5, [[1, 2, 3, -4, 5]]);
      await w.appendRecords(2, [[6, 7]]);
      await w.finish();
      const cdl = ncdump([f]);
      expect(cdl).toMatch(/T = UNLIMITED ; \/\/ \(7 currently\)/);
      expect(dumpValues(cdl, 'q')).toEqual([1, 2, 3, -4, 5, 6, 7]);
      expect(dumpValues(cdl, 'k')).toEqual([1, -2, 300]);
      expect(cdl).toMatch(/label = "abc"/);
      expect(cdl).toContain(':note = "Ouvéa & <chars>"');
      expect(cdl).toMatch(/:n = 1, -2 ;/);

      const e = path.join(dir, 'empty.nc');
      const we = await NetcdfWriter.create(e, { dims: [{ name: 'T', size: 'unlimited' }], globalAttrs: {}, vars: [{ name: 't', type: 'double', dims: ['T'], attrs: {} }, { name: 'v', type: 'float', dims: ['T'], attrs: {} }] });
      await we.finish();
      expect(ncdump([e])).toMatch(/T = UNLIMITED ; \/\/ \(0 currently\)/);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  test('rejects layouts NetCDF-3 cannot hold', async () => {
    const f = path.join(os.tmpdir(), `rg-bad-${process.pid}.nc`);
    await expect(NetcdfWriter.create(f, { dims: [{ name: 'T', size: 'unlimited' }, { name: 'U', size: 'unlimited' }], globalAttrs: {}, vars: [] })).rejects.toThrow(/one unlimited/);
    await expect(NetcdfWriter.create(f, { dims: [{ name: 'S', size: 2 }, { name: 'T', size: 'unlimited' }], globalAttrs: {}, vars: [{ name: 'x', type: 'float', dims: ['S', 'T'], attrs: {} }] })).rejects.toThrow(/record dimension must come first/);
    await expect(NetcdfWriter.create(f, { dims: [], globalAttrs: { 'bad name': 'x' }, vars: [] })).rejects.toThrow(/attribute name/);
    fs.rmSync(f, { force: true });
  });
});
