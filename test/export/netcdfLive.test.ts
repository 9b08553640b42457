/**
 * THREDDS kept current: a gateway with NETCDF_DIR rewrites, after POST /ingest, the NetCDF file of the
 * dataset that changed (read back with ncdump: as many records as the database holds) and leaves the
 * others alone (same inode, same mtime); catalog.xml lists every dataset, a new one included; no
 * temporary file stays behind. On PostgreSQL the export runs under its advisory-lock election.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createTestApp, TestApp } from '../helpers/app';
import { parseApiKeys } from '../../src/security/apiKey';
import { createLogger } from '../../src/log';
import { netcdfFileName } from '../../src/catalog/links';
import { NetcdfLive, startNetcdfLive } from '../../src/export/netcdfLive';
import { expectValidXml, hasTool, THREDDS_CATALOG_XSD } from '../helpers/xmllint';

const HAS_NCDUMP = hasTool('ncdump', ['-h']);
const KEY = 'live-netcdf-key-0123456789';
const A = 'OUVEA01_TEMP_0A_SBE56';

/** Record count of a NetCDF file, from the unlimited dimension in `ncdump -h`. */
function ncRecords(file: string): number {
  const r = spawnSync('ncdump', ['-h', file], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`ncdump -h ${file} failed: ${r.stderr}`);
  const m = /TIME = UNLIMITED ; \/\/ \((\d+) currently\)/.exec(r.stdout);
  if (!m) throw new Error(`no TIME record dimension in ${file}`);
  return Number(m[1]);
}

/** Polls until check() returns a value, failing after the timeout (a wait, not a timing assertion). */
async function waitFor<T>(what: string, check: () => T | undefined | Promise<T | undefined>, timeoutMs = 60_000): Promise<T> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const v = await check();
    if (v !== undefined && v !== false) return v;
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

const describeNc = HAS_NCDUMP ? describe : describe.skip;

describeNc('live NetCDF export (NETCDF_DIR)', () => {
  let t: TestApp;
  let live: NetcdfLive;
  let dir: string;
  const file = (code: string) => path.join(dir, netcdfFileName(code));
  const dbCount = async (code: string) =>
    (await t.db.store.query<{ n: number }>('SELECT count(*)::int n FROM observation o JOIN dataset d ON d.id = o.dataset_id WHERE d.code = $1', [code])).rows[0].n;
  const codes = async () => (await t.db.store.query<{ code: string }>('SELECT code FROM dataset ORDER BY code')).rows.map((r) => r.code);
  const catalogPaths = () => [...fs.readFileSync(path.join(dir, 'catalog.xml'), 'utf8').matchAll(/urlPath="reefgate\/([^"]+)"/g)].map((m) => m[1]).sort();
  const leftovers = () => fs.readdirSync(dir).filter((f) => f.endsWith('.tmp'));

  beforeAll(async () => {
    t = await createTestApp({ apiKeys: parseApiKeys(KEY) });
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rg-nc-live-'));
    const cfg = { ...t.config, netcdfDir: dir, netcdfRefreshMs: 300, databaseUrl: t.db.url };
    live = startNetcdfLive(cfg, t.db.store, createLogger('silent'))!;
  });
  afterAll(async () => {
    await live?.close();
    await t?.close();
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  it('is off without NETCDF_DIR', () => {
    expect(startNetcdfLive({ ...t.config, netcdfDir: undefined }, t.db.store, createLogger('silent'))).toBeUndefined();
  });

  it('writes every file and catalog.xml when it starts (or takes over)', async () => {
    await waitFor('the first pass', () => live.passes >= 1);
    const all = await codes();
    expect(all.length).toBeGreaterThan(1);
    for (const c of all) expect(fs.existsSync(file(c))).toBe(true);
    expect(catalogPaths()).toEqual(all.map(netcdfFileName).sort());
    expect(ncRecords(file(A))).toBe(await dbCount(A));
    expect(leftovers()).toEqual([]);
  });

  it('after POST /ingest rewrites only the changed dataset, atomically, and lists a new one', async () => {
    const b = (await codes()).find((c) => c !== A)!;
    const before = { a: fs.statSync(file(A)), b: fs.statSync(file(b)), records: ncRecords(file(A)) };
    const obs = ['dataset_id,time,value,qc', ...[0, 1, 2].map((h) => `${A},2031-01-01T0${h}:00:00Z,26.${h},1`)].join('\n') + '\n';
    const r = await t.http.post('/ingest/observations').set('X-API-Key', KEY).type('text/csv').send(obs);
    expect(r.status).toBe(200);
    expect(r.body.observations.inserted).toBe(3);

    // The rewritten file is a new inode renamed into place, never the old one written over.
    await waitFor(`${A} rewritten`, () => fs.statSync(file(A)).ino !== before.a.ino);
    const n = await dbCount(A);
    expect(n).toBe(before.records + 3);
    expect(ncRecords(file(A))).toBe(n);
    const bNow = fs.statSync(file(b));
    expect([bNow.ino, bNow.mtimeMs, bNow.size]).toEqual([before.b.ino, before.b.mtimeMs, before.b.size]);

    // A new dataset (station and dataset created by the push) gets its file and its catalog entry.
    const stations = 'station_id,name,network,producer,country,lat,lon,depth_m\nLIVE_ST,Live station,TestNet,IRD,NCL,-22.3,166.4,5\n';
    const datasets = 'dataset_id,station_id,property_code,standard_name,property_label,uom,processing,instrument_family,start,end\nLIVE_TEMP,LIVE_ST,TEMP,sea_water_temperature,Sea temperature,Cel,RAW DATA,SBE56,,\n';
    const more = 'dataset_id,time,value,qc\nLIVE_TEMP,2031-01-01T00:00:00Z,25.1,1\nLIVE_TEMP,2031-01-01T01:00:00Z,25.2,1\n';
    const created = await t.http
      .post('/ingest')
      .set('X-API-Key', KEY)
      .attach('stations', Buffer.from(stations), 'stations.csv')
      .attach('datasets', Buffer.from(datasets), 'datasets.csv')
      .attach('observations', Buffer.from(more), 'observations.csv');
    expect(created.status).toBe(200);
    await waitFor('LIVE_TEMP exported', () => fs.existsSync(file('LIVE_TEMP')) && catalogPaths().includes(netcdfFileName('LIVE_TEMP')));
    expect(ncRecords(file('LIVE_TEMP'))).toBe(2);
    expect(catalogPaths()).toEqual((await codes()).map(netcdfFileName).sort());
    expectValidXml(fs.readFileSync(path.join(dir, 'catalog.xml'), 'utf8'), THREDDS_CATALOG_XSD);
    const bLast = fs.statSync(file(b));
    expect([bLast.ino, bLast.mtimeMs]).toEqual([before.b.ino, before.b.mtimeMs]);
    expect(leftovers()).toEqual([]);
  });
});
