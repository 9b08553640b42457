import fs from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import zlib from 'node:zlib';
import type { Extension } from '@electric-sql/pglite';
import { packageRoot } from '../paths';
import { builtForInstalled, writeVersions } from './pgliteVersions';

/**
 * PostGIS for the embedded store, cut down to what ReefGate uses. The package's bundle holds three
 * WebAssembly libraries (postgis, postgis_raster with GDAL, postgis_topology; 48 MB) plus upgrade
 * and tiger-geocoder scripts (95 MB unpacked). PGlite unpacks the whole bundle into its in-memory file
 * system and compiles and instantiates every library in it at start, whether or not its extension is
 * ever created: about 300 MB of resident memory for raster and topology that ReefGate never loads
 * (measured in docs/benchmarks.md). This bundle keeps postgis.control, the install script of its
 * default version, the library it names and PROJ's data (ST_Transform), and nothing else.
 */
export const BUNDLE_FILE = path.join(packageRoot(), 'dist', 'pglite-postgis.tar.gz');
const META_FILE = BUNDLE_FILE.replace(/\.tar\.gz$/, '.json');

const CONTROL = 'share/postgresql/extension/postgis.control';
const PROJ_DIR = 'share/proj/';

interface TarEntry {
  name: string;
  /** '0' file, '5' directory, '2' symbolic link. */
  type: string;
  /** The entry's header and data blocks, unchanged (so their checksums stay valid). */
  blocks: Buffer;
  data: Buffer;
}

/** Entries of an uncompressed tar archive (ustar or GNU, plain entries only). */
export function* tarEntries(tar: Buffer): Generator<TarEntry> {
  const text = (b: Buffer) => b.toString('utf8').replace(/\0.*$/s, '');
  let off = 0;
  while (off + 512 <= tar.length) {
    const h = tar.subarray(off, off + 512);
    if (h.every((b) => b === 0)) return;
    const size = parseInt(text(h.subarray(124, 136)).trim() || '0', 8);
    const type = h[156] === 0 ? '0' : String.fromCharCode(h[156]);
    // Long names and pax headers would change the next entry's meaning; the PGlite bundles use none.
    if (!['0', '5', '2'].includes(type) || !Number.isSafeInteger(size)) throw new Error(`unsupported tar entry (type ${type}) at byte ${off}`);
    // POSIX ustar keeps a path prefix at 345; GNU tar ("ustar  ") keeps times there instead.
    const prefix = text(h.subarray(257, 263)) === 'ustar' && h[262] === 0 ? text(h.subarray(345, 500)) : '';
    const name = prefix ? `${prefix}/${text(h.subarray(0, 100))}` : text(h.subarray(0, 100));
    const end = off + 512 + Math.ceil(size / 512) * 512;
    if (end > tar.length) throw new Error(`truncated tar entry ${name}`);
    yield { name, type, blocks: tar.subarray(off, end), data: tar.subarray(off + 512, off + 512 + size) };
    off = end;
  }
}

/** The files of the bundle ReefGate needs: control file, install script, library, PROJ data. */
export function trimPostgisTar(tar: Buffer): { tar: Buffer; names: string[] } {
  const entries = [...tarEntries(tar)];
  const control = entries.find((e) => e.name === CONTROL);
  if (!control) throw new Error(`${CONTROL} not in the PostGIS bundle`);
  const controlText = control.data.toString('utf8');
  const version = /^default_version\s*=\s*'([^']+)'/m.exec(controlText)?.[1];
  const module = /^module_pathname\s*=\s*'\$libdir\/([^']+)'/m.exec(controlText)?.[1];
  if (!version || !module) throw new Error(`no default_version or module_pathname in ${CONTROL}`);
  const required = [CONTROL, `share/postgresql/extension/postgis--${version}.sql`, `lib/postgresql/${module}.so`];
  const kept = entries.filter((e) => required.includes(e.name) || (e.name.startsWith(PROJ_DIR) && e.type !== '2'));
  for (const name of required) if (!kept.some((e) => e.name === name)) throw new Error(`${name} not in the PostGIS bundle`);
  if (!kept.some((e) => e.name === `${PROJ_DIR}proj.db`)) throw new Error(`${PROJ_DIR}proj.db not in the PostGIS bundle`);
  return { tar: Buffer.concat([...kept.map((e) => e.blocks), Buffer.alloc(1024)]), names: kept.map((e) => e.name) };
}

/** Writes the trimmed bundle from the installed @electric-sql/pglite-postgis package. */
export function buildPostgisBundle(): { file: string; bytes: number; files: number } {
  const source = path.join(path.dirname(require.resolve('@electric-sql/pglite-postgis')), 'postgis.tar.gz');
  const { tar, names } = trimPostgisTar(zlib.gunzipSync(fs.readFileSync(source)));
  const gz = zlib.gzipSync(tar);
  fs.mkdirSync(path.dirname(BUNDLE_FILE), { recursive: true });
  // Written under a temporary name and renamed: a half-written bundle is never used.
  fs.writeFileSync(`${BUNDLE_FILE}.tmp`, gz);
  fs.renameSync(`${BUNDLE_FILE}.tmp`, BUNDLE_FILE);
  writeVersions(META_FILE);
  return { file: BUNDLE_FILE, bytes: gz.length, files: names.length };
}

/** True when the trimmed bundle exists and was made from the installed packages. */
export function hasTrimmedBundle(): boolean {
  return fs.existsSync(BUNDLE_FILE) && builtForInstalled(META_FILE);
}

/**
 * The PostGIS extension for PGlite: the package's own setup (its environment, e.g. PROJ_DATA) with
 * the trimmed bundle when `npm run pglite-template` made one, the package's full bundle otherwise.
 */
export async function postgisExtension(): Promise<{ extension: Extension; bundle: 'trimmed' | 'full' }> {
  const { postgis } = await import('@electric-sql/pglite-postgis');
  if (!hasTrimmedBundle()) return { extension: postgis, bundle: 'full' };
  const extension: Extension = {
    name: postgis.name,
    setup: async (pg, emscriptenOpts) => ({ ...(await postgis.setup(pg, emscriptenOpts)), bundlePath: pathToFileURL(BUNDLE_FILE) }),
  };
  return { extension, bundle: 'trimmed' };
}
