import fs from 'node:fs';
import path from 'node:path';

/** Versions of the installed PGlite packages: files built from them are valid for these versions only. */
export interface PgliteVersions {
  pglite: string;
  postgis: string;
}

/** The versions installed in node_modules. */
export function installedVersions(): PgliteVersions {
  const version = (pkg: string) => {
    // Walk up from the resolved entry point: the packages' "exports" do not expose package.json.
    let dir = path.dirname(require.resolve(pkg));
    while (!fs.existsSync(path.join(dir, 'package.json'))) dir = path.dirname(dir);
    return String(JSON.parse(fs.readFileSync(path.join(dir, 'package.json'), 'utf8')).version);
  };
  return { pglite: version('@electric-sql/pglite'), postgis: version('@electric-sql/pglite-postgis') };
}

/** True when the versions recorded in a JSON file next to a built artefact are the installed ones. */
export function builtForInstalled(metaFile: string): boolean {
  try {
    const meta = JSON.parse(fs.readFileSync(metaFile, 'utf8')) as PgliteVersions;
    const now = installedVersions();
    return meta.pglite === now.pglite && meta.postgis === now.postgis;
  } catch {
    return false;
  }
}

/** Records the installed versions next to an artefact built from them. */
export function writeVersions(metaFile: string): void {
  fs.writeFileSync(metaFile, JSON.stringify(installedVersions()));
}
