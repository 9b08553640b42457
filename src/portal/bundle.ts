/**
 * The built portal bundle (portal-dist/, written by portal/build.mjs): its page template and the
 * hashed names of its assets, read once. The portal page and the OGC API HTML pages both link them.
 */
import fs from 'node:fs';
import path from 'node:path';
import { packageRoot } from '../paths';

/** Names of the built bundle files (portal-dist/manifest.json). */
export interface PortalManifest {
  js: string;
  css: string;
  /** The OGC API pages' styles and map script (absent from bundles built before they existed). */
  ogcapiJs?: string;
  ogcapiCss?: string;
  /** The offline land layer (GeoJSON, portal/land.mjs). */
  land?: string;
}

export interface PortalBundle {
  template: string;
  manifest: PortalManifest;
}

/** Where the bundle is built. */
export const PORTAL_DIST = (): string => path.join(packageRoot(), 'portal-dist');

/** A reader of the bundle in `dir`: read once, and retried while portal-dist/ has not been built (undefined). */
export function portalBundle(dir = PORTAL_DIST()): () => PortalBundle | undefined {
  let built: PortalBundle | undefined;
  return () => {
    if (built) return built;
    try {
      built = {
        template: fs.readFileSync(path.join(dir, 'index.html'), 'utf8'),
        manifest: JSON.parse(fs.readFileSync(path.join(dir, 'manifest.json'), 'utf8')) as PortalManifest,
      };
    } catch {
      return undefined;
    }
    return built;
  };
}
