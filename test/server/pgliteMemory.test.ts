import { ChildProcess, spawn } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { buildPostgisBundle, hasTrimmedBundle } from '../../src/data/postgisBundle';

const ROOT = path.resolve(__dirname, '../..');
/**
 * Peak RSS allowed to the embedded gateway (start-up with the demo import, then whole-table streams).
 * Measured on the 2-core development box (docs/benchmarks.md): 618-639 MiB with the trimmed PostGIS
 * bundle, 863-919 MiB with the package's full one. The cap sits between, generous towards the first.
 */
const PEAK_RSS_LIMIT_KIB = 768 * 1024;

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = net.createServer().listen(0, '127.0.0.1', () => {
      const p = (s.address() as net.AddressInfo).port;
      s.close(() => resolve(p));
    });
  });
}

/** The command line of `npm start`, so the gateway runs exactly as it is started in production. */
function startCommand(): string[] {
  const start: string = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')).scripts.start;
  const argv = start.trim().split(/\s+/);
  expect(argv[0]).toBe('node');
  return argv.slice(1);
}

/** A field of /proc/<pid>/status in KiB (VmRSS, VmHWM). */
function procKib(pid: number, field: string): number {
  const m = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
  if (!m) throw new Error(`no ${field} in /proc/${pid}/status`);
  return Number(m[1]);
}

/** Reads a whole body without keeping it; counts a marker (split markers across chunks count once). */
async function countIn(res: Response, marker: string): Promise<number> {
  const decoder = new TextDecoder();
  let count = 0;
  let carry = '';
  for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
    const text = carry + decoder.decode(chunk, { stream: true });
    for (let i = text.indexOf(marker); i >= 0; i = text.indexOf(marker, i + marker.length)) count++;
    carry = text.slice(Math.max(0, text.length - marker.length + 1));
  }
  return count;
}

/**
 * Issue 11 point 9: the embedded gateway's RSS is bounded. The 192 MB heap limit does not bound PGlite
 * (its WebAssembly memory, compiled libraries and in-memory file system); what does is the trimmed
 * PostGIS bundle and the PostgreSQL memory settings of PgliteStore. A real `npm start` process on a
 * fresh DATA_DIR, whole-table streams in three formats at once, and the kernel's peak RSS (VmHWM).
 */
describe('embedded gateway memory (real process, as npm start runs it)', () => {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'rg-pglite-mem-'));
  let proc: ChildProcess | undefined;
  let stdout = '';
  let stderr = '';
  afterAll(() => {
    proc?.kill('SIGKILL');
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  it('stays under its peak RSS cap through the first start and concurrent whole-table streams', async () => {
    // `npm run pglite-template` builds the bundle; a checkout that only ran `npm run build` has not.
    if (!hasTrimmedBundle()) buildPostgisBundle();
    const port = await freePort();
    const env = { ...process.env, PORT: String(port), HOST: '127.0.0.1', DATA_DIR: dataDir, LOG_LEVEL: 'info' } as NodeJS.ProcessEnv;
    delete env.DATABASE_URL;
    delete env.NODE_OPTIONS;
    proc = spawn(process.execPath, startCommand(), { env, cwd: ROOT });
    proc.stdout!.on('data', (d) => (stdout = (stdout + d).slice(-200_000)));
    proc.stderr!.on('data', (d) => (stderr = (stderr + d).slice(-20_000)));
    const base = `http://127.0.0.1:${port}`;
    const died = () => new Error(`gateway exited (${proc!.exitCode})\nstdout:\n${stdout.slice(-3000)}\nstderr:\n${stderr.slice(-3000)}`);
    // Bounds the wait against a hang only; start-up time is measured in bench/startup.sh.
    for (let t0 = Date.now(); ; ) {
      if (proc.exitCode !== null) throw died();
      const r = await fetch(`${base}/readyz`).catch(() => undefined);
      if (r?.status === 200) break;
      if (Date.now() - t0 > 300_000) throw new Error(`not ready within 300 s\n${stdout.slice(-3000)}`);
      await new Promise((r) => setTimeout(r, 250));
    }
    expect(stdout).toContain('demo data loaded');
    expect(stdout).not.toContain('full PostGIS bundle');

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
        return (await countIn(res, s.marker)) - s.extra;
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
    const report = { peakRssMiB: Math.round(peak / 1024), rssMiB: Math.round(procKib(proc.pid!, 'VmRSS') / 1024), wasmMiB: Math.round(wasm / 1048576) };
    expect({ ...report, underCap: peak < PEAK_RSS_LIMIT_KIB }).toEqual({ ...report, underCap: true });
    // PostgreSQL's buffers and work memory live in the WebAssembly memory; PGLITE_SETTINGS keep it at
    // its 128 MiB start here (with PGlite's defaults it starts at 191 MiB and one sort + index took
    // it to 229 MiB, docs/benchmarks.md). A loose bound: the RSS cap above is the real one.
    expect(wasm).toBeGreaterThanOrEqual(128 * 1048576);
    expect(wasm).toBeLessThan(256 * 1048576);

    const exited = new Promise<number | null>((resolve) => proc!.on('exit', (code) => resolve(code)));
    proc.kill('SIGTERM');
    expect(await exited).toBe(0);
    proc = undefined;
  }, 600_000);
});
