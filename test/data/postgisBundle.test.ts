import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import { buildPostgisBundle, BUNDLE_FILE, hasTrimmedBundle, tarEntries, trimPostgisTar } from '../../src/data/postgisBundle';
import { PgliteStore } from '../../src/data/pgliteStore';

const PACKAGE_TAR = path.join(path.dirname(require.resolve('@electric-sql/pglite-postgis')), 'postgis.tar.gz');

/** The trimmed PostGIS bundle of the embedded store (src/data/postgisBundle.ts), cut from the real package. */
describe('trimmed PostGIS bundle', () => {
  const full = zlib.gunzipSync(fs.readFileSync(PACKAGE_TAR));
  const fullNames = [...tarEntries(full)].map((e) => e.name);

  it('keeps the control file, its install script, its library and the PROJ data, and drops raster, topology and the rest', () => {
    // The package really holds what is dropped (so the checks below can fail).
    expect(fullNames).toEqual(expect.arrayContaining(['lib/postgresql/postgis_raster-3.so', 'lib/postgresql/postgis_topology-3.so']));
    const { tar, names } = trimPostgisTar(full);
    const control = [...tarEntries(full)].find((e) => e.name === 'share/postgresql/extension/postgis.control')!.data.toString();
    const version = /default_version\s*=\s*'([^']+)'/.exec(control)?.[1];
    expect(version).toMatch(/^\d+\.\d+\.\d+$/);
    expect(names).toEqual(
      expect.arrayContaining([
        'share/postgresql/extension/postgis.control',
        `share/postgresql/extension/postgis--${version}.sql`,
        'lib/postgresql/postgis-3.so',
        'share/proj/proj.db',
      ]),
    );
    expect(names.filter((n) => n.endsWith('.so'))).toEqual(['lib/postgresql/postgis-3.so']);
    expect(names.filter((n) => n.startsWith('share/postgresql/'))).toHaveLength(2);
    // A valid archive again: the same entries with the same contents, then the end-of-archive blocks.
    const again = [...tarEntries(tar)];
    expect(again.map((e) => e.name)).toEqual(names);
    const so = again.find((e) => e.name === 'lib/postgresql/postgis-3.so')!;
    expect(so.data.equals([...tarEntries(full)].find((e) => e.name === so.name)!.data)).toBe(true);
    expect(tar.length % 512).toBe(0);
    expect(tar.length).toBeLessThan(full.length / 2);
  });

  it('refuses archives it does not understand rather than dropping their meaning', () => {
    const header = Buffer.alloc(512);
    header.write('././@LongLink', 0);
    header.write('00000000012\0', 124);
    header.write('L', 156);
    expect(() => [...tarEntries(Buffer.concat([header, Buffer.alloc(1024)]))]).toThrow(/unsupported tar entry \(type L\)/);
    const truncated = Buffer.concat([full.subarray(0, 512), Buffer.alloc(512)]);
    expect(() => [...tarEntries(truncated)]).toThrow(/truncated tar entry lib\/postgresql\/postgis-3\.so/);
    const noControl = Buffer.concat([full.subarray(0, 512 + Math.ceil(parseInt(full.subarray(124, 136).toString(), 8) / 512) * 512), Buffer.alloc(1024)]);
    expect(() => trimPostgisTar(noControl)).toThrow(/postgis\.control not in the PostGIS bundle/);
  });

  it('is what the embedded store loads: PostGIS and PROJ work, raster and topology are not there', async () => {
    // `npm run pglite-template` builds it; a checkout that only ran `npm run build` has not.
    if (!hasTrimmedBundle()) buildPostgisBundle();
    expect(fs.existsSync(BUNDLE_FILE)).toBe(true);
    const store = await PgliteStore.open();
    try {
      expect(store.postgisBundle).toBe('trimmed');
      await store.query('CREATE EXTENSION postgis');
      const r = await store.query<{ wkt: string }>(`SELECT ST_AsText(ST_Transform(ST_SetSRID(ST_MakePoint(166.45, -22.3), 4326), 3163)) AS wkt`);
      expect(r.rows[0].wkt).toMatch(/^POINT\(446\d{3}\.\d+ 211\d{3}\.\d+\)$/);
      const fsOf = store.db as unknown as { mod: { FS: { analyzePath(p: string): { exists: boolean } } } };
      expect(fsOf.mod.FS.analyzePath('/pglite/lib/postgresql/postgis-3.so').exists).toBe(true);
      expect(fsOf.mod.FS.analyzePath('/pglite/lib/postgresql/postgis_raster-3.so').exists).toBe(false);
      await expect(store.query('CREATE EXTENSION postgis_raster')).rejects.toThrow(/postgis_raster/);
    } finally {
      await store.close();
    }
  }, 240_000);
});
