import fs from 'node:fs';
import path from 'node:path';
import supertest from 'supertest';
import { DataDirLockedError, EXIT_DATA_DIR_IN_USE, LOCK_FILE } from '../../src/data/dataDirLock';
import { startingApp, StartupProgress } from '../../src/http/startup';
import { createLogger } from '../../src/log';

// The start-up rows of docs/errors.md say what the code answers, word for word.
const ROOT = path.resolve(__dirname, '../..');
const doc = fs.readFileSync(path.join(ROOT, 'docs/errors.md'), 'utf8');

/** The row of the exit-status table of docs/errors.md for one status. */
function exitRow(status: number): string | undefined {
  const table = doc.split('## Exit status of the `reefgate` command')[1] ?? '';
  return table.split('\n').find((l) => l.startsWith(`| ${status} |`));
}

describe('docs/errors.md: start-up', () => {
  it('documents exit status 75 with the exact message of a locked data directory', () => {
    expect(EXIT_DATA_DIR_IN_USE).toBe(75);
    expect(exitRow(EXIT_DATA_DIR_IN_USE)).toMatch(/DATA_DIR.*another live `reefgate` process/);
    // The example in the doc, rebuilt from the same values by the code that prints it (main.ts writes "reefgate: " + message).
    const err = new DataDirLockedError('/app/data', { pid: 4242, command: 'serve', host: 'h', since: '2026-12-05T10:00:00.000Z' });
    expect(doc).toContain(`    reefgate: ${err.message}\n`);
    expect(err.message).toContain(`/app/data/${LOCK_FILE}`);
    expect(doc).toContain('reefgate: took over a stale lock in <DATA_DIR> (pid <pid>, "<command>", no longer running)');
    const main = fs.readFileSync(path.join(ROOT, 'src/main.ts'), 'utf8');
    expect(main).toContain('`reefgate: took over a stale lock in ${cfg.dataDir} (pid ${lock.tookOver.pid}, "${lock.tookOver.command}", no longer running)\\n`');
    for (const status of [0, 1, 2]) expect(exitRow(status)).toBeDefined();
  });

  it('documents the answers while starting: /readyz 503 with the phase, the OGC 503, /healthz 200', async () => {
    const progress = new StartupProgress(createLogger('silent'));
    let finish!: () => void;
    await progress.run('creating the embedded database from the PostGIS template', async () => undefined);
    const running = progress.run('applying migrations', () => new Promise<void>((r) => (finish = r)));
    const http = supertest(startingApp(progress));
    try {
      const ready = await http.get('/readyz');
      expect(ready.status).toBe(503);
      expect(ready.headers['retry-after']).toBe('5');
      expect(ready.body).toEqual({ status: 'starting', phase: 'applying migrations', phaseSeconds: expect.any(Number), elapsedSeconds: expect.any(Number), done: [{ phase: 'creating the embedded database from the PostGIS template', seconds: expect.any(Number) }] });
      // The doc's example body has the same members in the same order.
      const example = /`(\{"status":"starting","phase":[^`]+\})`/.exec(doc)?.[1];
      expect(Object.keys(JSON.parse(example!))).toEqual(Object.keys(ready.body));
      expect(JSON.parse(example!).done[0].phase).toBe('creating the embedded database from the PostGIS template');

      const ows = await http.get('/wfs?SERVICE=WFS&REQUEST=GetCapabilities');
      expect(ows.status).toBe(503);
      expect(ows.headers['retry-after']).toBe('5');
      expect(ows.text).toContain('exceptionCode="NoApplicableCode" locator="service"');
      expect(ows.text).toContain('The gateway is starting (applying migrations); try again shortly');
      expect(doc).toContain('`The gateway is starting (<phase>); try again shortly`, locator `service`');

      const other = await http.get('/api/stations');
      expect(other.status).toBe(503);
      expect(other.body).toEqual({ status: 'starting', phase: 'applying migrations' });
      expect(doc).toContain('`{"status":"starting","phase":"<phase>"}`');

      const health = await http.get('/healthz');
      expect(health.status).toBe(200);
      expect(health.body).toEqual({ status: 'ok' });
      expect(doc).toContain('`/healthz` is 200 `{"status":"ok"}`');
    } finally {
      finish();
      await running;
    }
  });

  it('documents the /readyz bodies after start-up as src/server.ts sends them', () => {
    const server = fs.readFileSync(path.join(ROOT, 'src/server.ts'), 'utf8');
    for (const reason of ['database unreachable', 'database not migrated']) {
      expect(server).toContain(`json({ status: 'not ready', reason: '${reason}' })`);
      expect(doc).toContain(`\`{"status":"not ready","reason":"${reason}"}\``);
    }
  });
});
