import fs from 'node:fs';
import path from 'node:path';
import { packageRoot } from '../paths';
import { postgisExtension } from './postgisBundle';
import { builtForInstalled, writeVersions } from './pgliteVersions';

/**
 * A first embedded start spent most of its time in initdb and in CREATE EXTENSION postgis (thousands
 * of functions, each resolved in the PostGIS WebAssembly module): together 2/3 of the first start.
 * Both give the same bytes on every machine, so `npm ci` (the prepare script) makes them once into a
 * tarball and a first start unpacks it through PGlite's public loadDataDir option instead.
 * The tarball holds no project tables: migrations still run at start-up.
 * That program (buildPgliteTemplate.ts) writes the trimmed PostGIS bundle first (postgisBundle.ts),
 * and the template is made with it, which checks that bundle is complete.
 */
export const TEMPLATE_FILE = path.join(packageRoot(), 'dist', 'pglite-template.tar.gz');
const META_FILE = TEMPLATE_FILE.replace(/\.tar\.gz$/, '.json');

/** The template for a fresh data directory, or undefined when absent or made by other PGlite versions. */
export function loadTemplate(): Blob | undefined {
  if (!builtForInstalled(META_FILE)) return undefined;
  try {
    return new Blob([fs.readFileSync(TEMPLATE_FILE)]);
  } catch {
    return undefined;
  }
}

/** Creates a database with PostGIS in memory and writes its gzipped data directory as the template. */
export async function buildTemplate(): Promise<{ file: string; bytes: number; seconds: number }> {
  const t0 = Date.now();
  const { PGlite } = await import('@electric-sql/pglite');
  // The extension the server will load (the trimmed bundle, built first): CREATE EXTENSION here also
  // proves that bundle holds everything PostGIS needs.
  const { extension } = await postgisExtension();
  const db = await PGlite.create({ extensions: { postgis: extension } });
  await db.exec('CREATE EXTENSION IF NOT EXISTS postgis');
  const tar = (await db.dumpDataDir('gzip')) as Blob;
  await db.close();
  fs.mkdirSync(path.dirname(TEMPLATE_FILE), { recursive: true });
  // Written under a temporary name and renamed: a half-written template is never used.
  fs.writeFileSync(`${TEMPLATE_FILE}.tmp`, Buffer.from(await tar.arrayBuffer()));
  fs.renameSync(`${TEMPLATE_FILE}.tmp`, TEMPLATE_FILE);
  writeVersions(META_FILE);
  return { file: TEMPLATE_FILE, bytes: tar.size, seconds: (Date.now() - t0) / 1000 };
}
