import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { buildPostgisBundle, hasTrimmedBundle } from '../../src/data/postgisBundle';
import { drain, GatewayProcess, procKib, startGateway, waitForLogLine } from '../helpers/gatewayProcess';

/**
 * Peak RSS allowed to the embedded gateway (start-up with the demo import, then whole-table streams).
 * Measured on the 2-core development box (docs/benchmarks.md): 618-639 MiB with the trimmed PostGIS
 * bundle, 863-919 MiB with the package's full one. The cap sits between, generous towards the first.
 */
const PEAK_RSS_LIMIT_KIB = 768 * 1024;

/**
 * Issue 11 point 9: the embedded gateway's RSS is bounded. The 192 MB heap limit does not bound PGlite
 * (its WebAssembly memory, compiled libraries and in-memory file system); what does is the trimmed
 * PostGIS bundle and the PostgreSQL memory settings of PgliteStore. A real `npm start` process on a
 * fresh DATA_DIR, whole-table streams in three formats at once, and the kernel's peak RSS (VmHWM).
 */
describe('embedded gateway memory (real process, as npm start runs it)', () => {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'rg-pglite-mem-'));
  let gw: GatewayProcess | undefined;
  afterAll(() => {
    gw?.proc.kill('SIGKILL');
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  it('stays under its peak RSS cap through the first start and concurrent whole-table streams', async () => {
    // `npm run pglite-template` builds the bundle; a checkout that only ran `npm run build` has not.
    if (!hasTrimmedBundle()) buildPostgisBundle();
    gw = await startGateway({ DATABASE_URL: undefined, DATA_DIR: dataDir, LOG_LEVEL: 'info' }, 300_000);
    const { proc, base, died } = gw;
    await waitForLogLine(gw.stdout, 'demo data loaded');
    expect(gw.stdout()).toContain('demo data loaded');
    expect(gw.stdout()).not.toContain('full PostGIS bundle');

    const hits = await (await fetch(`${base}/wfs?SERVICE=WFS&VERSION=2.0.0&REQUEST=GetFeature&TYPENAMES=reef:Observation&RESULTTYPE=hits`)).text();
    const total = Number(/numberMatched="(\d+)"/.exec(hits)?.[1]);
    expect(total).toBeGreaterThan(100_000);
    const page = `${base}/wfs?SERVICE=WFS&VERSION=2.0.0&REQUEST=GetFeature&TYPENAMES=reef:Observation&COUNT=${total}`;
    const streams = [
      { url: `${page}&OUTPUTFORMAT=csv`, marker: '\n', extra: 1 },
      { url: page, marker: '<wfs:member>', extra: 0 },
      { url: `${page}&OUTPUTFORMAT=application/json`, marker: '{"type":"Feature",', extra: 0 },
      { url: `${page}&OUTPUTFORMAT=csv`, marker: '\n', extra: 1 },
    ];
    const counts = await Promise.all(
      streams.map(async (s) => {
        const res = await fetch(s.url);
        expect(res.status).toBe(200);
        return (await drain(res, s.marker)).count - s.extra;
      }),
    );
    expect(counts).toEqual(streams.map(() => total));
    if (proc.exitCode !== null) throw died();

    const peak = procKib(proc.pid!, 'VmHWM');
    const metrics = await fetch(`${base}/metrics`).then(
      (r) => r.text(),
      async (err) => {
        await new Promise((r) => setTimeout(r, 2000));
        throw new Error(`${(err as Error).message}: ${died().message}`);
      },
    );
    const wasm = Number(/^reefgate_pglite_wasm_memory_bytes (\d+)/m.exec(metrics)?.[1]);
    // The Node runtime metrics, which the serving process starts (main.ts).
    expect(metrics).toMatch(/^process_resident_memory_bytes \d+/m);
    expect(metrics).toMatch(/^nodejs_heap_size_used_bytes \d+/m);
    const report = { peakRssMiB: Math.round(peak / 1024), rssMiB: Math.round(procKib(proc.pid!, 'VmRSS') / 1024), wasmMiB: Math.round(wasm / 1048576) };
    expect({ ...report, underCap: peak < PEAK_RSS_LIMIT_KIB }).toEqual({ ...report, underCap: true });
    // PostgreSQL's buffers and work memory live in the WebAssembly memory; PGLITE_SETTINGS keep it at
    // its 128 MiB start here (with PGlite's defaults it starts at 191 MiB and one sort + index took
    // it to 229 MiB, docs/benchmarks.md). A loose bound: the RSS cap above is the real one.
    expect(wasm).toBeGreaterThanOrEqual(128 * 1048576);
    expect(wasm).toBeLessThan(256 * 1048576);

    const exited = new Promise<number | null>((resolve) => proc.on('exit', (code) => resolve(code)));
    proc.kill('SIGTERM');
    expect(await exited).toBe(0);
    gw = undefined;
  }, 600_000);
});
