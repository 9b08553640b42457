// Bundles the portal (TypeScript + OpenLayers + CSS) into portal-dist/ with content-hashed names and a manifest.
// Usage: node portal/build.mjs   (run by `npm run build`)
import { build } from 'esbuild';
import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import crypto from 'node:crypto';
import { buildLand } from './land.mjs';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const out = path.join(here, '..', 'portal-dist');
fs.mkdirSync(path.join(out, 'assets'), { recursive: true });

const result = await build({
  // app: the portal; ogcapi: the OGC API – Features HTML pages (styles, and the map of items and item pages).
  entryPoints: { app: path.join(here, 'src', 'main.ts'), ogcapi: path.join(here, 'src', 'featureMap.ts') },
  bundle: true,
  minify: true,
  sourcemap: 'linked',
  format: 'iife',
  target: ['es2020', 'chrome100', 'firefox100', 'safari15'],
  outdir: path.join(out, 'assets'),
  entryNames: '[name]-[hash]',
  metafile: true,
  logLevel: 'warning',
  legalComments: 'linked',
});

const outputs = Object.keys(result.metafile.outputs).map((p) => path.basename(p));
const manifest = {
  js: outputs.find((f) => /^app-.*\.js$/.test(f)),
  css: outputs.find((f) => /^app-.*\.css$/.test(f)),
  ogcapiJs: outputs.find((f) => /^ogcapi-.*\.js$/.test(f)),
  ogcapiCss: outputs.find((f) => /^ogcapi-.*\.css$/.test(f)),
};
if (Object.values(manifest).some((f) => !f)) throw new Error('portal build: missing app/ogcapi js/css in ' + outputs.join(', '));
// The offline land layer (portal/land.mjs), content-hashed like the bundles so it can be cached for a year.
const land = buildLand();
manifest.land = `land-${crypto.createHash('sha256').update(land).digest('hex').slice(0, 8)}.json`;
fs.writeFileSync(path.join(out, 'assets', manifest.land), land);
fs.copyFileSync(path.join(here, 'favicon.svg'), path.join(out, 'assets', 'favicon.svg'));
// Replaced atomically and stale bundles removed only after: a server (or a parallel test) reading the
// previous build never sees a half-written file, and an unchanged build keeps the same names.
const writeAtomic = (file, text) => {
  fs.writeFileSync(`${file}.${process.pid}.tmp`, text);
  fs.renameSync(`${file}.${process.pid}.tmp`, file);
};
writeAtomic(path.join(out, 'index.html'), fs.readFileSync(path.join(here, 'index.html')));
writeAtomic(path.join(out, 'manifest.json'), JSON.stringify(manifest, null, 2));
// Pre-compressed copies, served by src/portal/routes.ts to clients that accept gzip (no CPU per request).
const compressible = [manifest.js, manifest.css, manifest.ogcapiJs, manifest.ogcapiCss, manifest.land, 'favicon.svg'];
for (const f of compressible) {
  const file = path.join(out, 'assets', f);
  fs.writeFileSync(`${file}.gz`, zlib.gzipSync(fs.readFileSync(file), { level: 9 }));
}
const keep = new Set([...outputs, manifest.land, ...compressible.map((f) => `${f}.gz`), 'favicon.svg']);
for (const f of fs.readdirSync(path.join(out, 'assets'))) if (!keep.has(f)) fs.rmSync(path.join(out, 'assets', f), { force: true });
const size = (f) => fs.statSync(path.join(out, 'assets', f)).size;
for (const f of [manifest.js, manifest.css, manifest.ogcapiJs, manifest.ogcapiCss, manifest.land]) console.error(`portal: ${f} ${size(f)} B (gzip ${size(f + '.gz')} B)`);
