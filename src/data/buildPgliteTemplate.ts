import { buildPostgisBundle } from './postgisBundle';
import { buildTemplate } from './pgliteTemplate';

// The `npm run pglite-template` program (npm ci's prepare script). Its own file, not a main-module
// check in pgliteTemplate.ts: in a bundle every module shares one `module` object,
// so such a block ran in every bundled `reefgate serve` — each gateway process of the HAProxy test
// spent ~10 s of CPU and 500 MB rebuilding the template, and its health checks timed out.

// The trimmed PostGIS bundle first: the template is made with it (see pgliteTemplate.ts).
try {
  const b = buildPostgisBundle();
  process.stderr.write(`pglite postgis bundle: ${b.file} (${(b.bytes / 1e6).toFixed(1)} MB, ${b.files} files)\n`);
} catch (err) {
  // Only a memory saving: without it the embedded store loads the package's full PostGIS bundle.
  process.stderr.write(`pglite postgis bundle not built (the embedded store will load the full PostGIS bundle, ~300 MB more memory): ${(err as Error).message}\n`);
}
buildTemplate().then(
  (r) => process.stderr.write(`pglite template: ${r.file} (${(r.bytes / 1e6).toFixed(1)} MB) in ${r.seconds.toFixed(1)} s\n`),
  (err) => {
    // Only a speed-up: without it a first start runs initdb and CREATE EXTENSION itself.
    process.stderr.write(`pglite template not built (first starts will be slower): ${(err as Error).message}\n`);
  },
);
