import fs from 'node:fs';
import path from 'node:path';
import os from 'node:os';
import { workerShare } from '../src/cluster/shares';
import { ConfigError, loadConfig, SETTINGS } from '../src/config/config';

describe('configuration', () => {
  it('has sensible defaults', () => {
    const c = loadConfig({});
    expect(c.port).toBe(8080);
    expect(c.databaseUrl).toBeUndefined();
    expect(c.namespacePrefix).toBe('reef');
  });

  it.each([
    [{ PORT: 'abc' }, /PORT must be a whole number/],
    [{ PORT: '70000' }, /PORT must be between 0 and 65535/],
    [{ DATABASE_URL: 'mysql://x' }, /DATABASE_URL must start with postgres/],
    [{ PUBLIC_URL: 'not a url' }, /PUBLIC_URL must be an absolute http\(s\) URL/],
    [{ TRUST_PROXY: 'maybe' }, /TRUST_PROXY must be true or false/],
    [{ NAMESPACE_PREFIX: '1bad' }, /NAMESPACE_PREFIX must be an XML NCName/],
    [{ LOG_LEVEL: 'loud' }, /LOG_LEVEL must be one of/],
  ])('rejects %p with a message naming the variable', (env, msg) => {
    expect(() => loadConfig(env)).toThrow(ConfigError);
    expect(() => loadConfig(env)).toThrow(msg);
  });

  describe('workers and read replicas', () => {
    const PG = { DATABASE_URL: 'postgres://u@db:5432/reef' };

    it('refuses WORKERS above 1 on the embedded store, which is single-process, and defaults to 1 there', () => {
      expect(() => loadConfig({ WORKERS: '2' })).toThrow(/WORKERS=2 needs PostgreSQL \(DATABASE_URL\): the embedded PGlite store is single-process/);
      expect(loadConfig({}).workers).toBe(1);
      expect(loadConfig({ WORKERS: '1' }).workers).toBe(1);
    });

    it('defaults to one worker per CPU with PostgreSQL, never more than PG_POOL_MAX', () => {
      expect(loadConfig(PG).workers).toBe(Math.min(os.availableParallelism(), 10));
      expect(loadConfig({ ...PG, PG_POOL_MAX: '1' }).workers).toBe(1);
      expect(loadConfig({ ...PG, WORKERS: '3' }).workers).toBe(3);
    });

    it.each([
      [{ ...PG, WORKERS: '0' }, /WORKERS must be between 1 and 256/],
      [{ ...PG, WORKERS: 'many' }, /WORKERS must be a whole number/],
      [{ ...PG, WORKERS: '4', PG_POOL_MAX: '3' }, /PG_POOL_MAX \(3\) is the connections of all 4 workers together and must be at least WORKERS/],
      [{ READ_DATABASE_URLS: 'postgres://u@standby/reef' }, /READ_DATABASE_URLS needs DATABASE_URL/],
      [{ ...PG, READ_DATABASE_URLS: 'postgres://u@standby/reef,mysql://x' }, /READ_DATABASE_URLS must start with postgres/],
      [{ ...PG, READ_DATABASE_URLS: PG.DATABASE_URL }, /READ_DATABASE_URLS must list standbys, not DATABASE_URL itself/],
      [{ ...PG, READ_MAX_LAG_MS: '10' }, /READ_MAX_LAG_MS must be between 100/],
    ])('rejects %p', (env, msg) => {
      expect(() => loadConfig(env)).toThrow(msg);
    });

    it('reads the replicas as a list', () => {
      const c = loadConfig({ ...PG, READ_DATABASE_URLS: ' postgres://u@s1/reef , postgresql://u@s2:5433/reef ' });
      expect(c.readDatabaseUrls).toEqual(['postgres://u@s1/reef', 'postgresql://u@s2:5433/reef']);
      expect(c.readMaxLagMs).toBe(5000);
    });

    it('shares the gateway-wide limits out among the workers, the pool never above its total', () => {
      const share = (env: Record<string, string>) => workerShare(loadConfig({ ...PG, ...env }));
      expect(share({ WORKERS: '1' })).toMatchObject({ poolMax: 10, maxHeavyRequests: 8, heavyQueueSize: 64, ingestMaxConcurrent: 2 });
      expect(share({ WORKERS: '2' })).toMatchObject({ poolMax: 5, maxHeavyRequests: 4, heavyQueueSize: 32, ingestMaxConcurrent: 1 });
      expect(share({ WORKERS: '3' })).toMatchObject({ poolMax: 3, maxHeavyRequests: 2, heavyQueueSize: 22, ingestMaxConcurrent: 1 });
      // Data requests stay below the worker's pool, so light requests and cancellations find a connection.
      expect(share({ WORKERS: '2', PG_POOL_MAX: '4' })).toMatchObject({ poolMax: 2, maxHeavyRequests: 1 });
      expect(share({ WORKERS: '4', PG_POOL_MAX: '4' })).toMatchObject({ poolMax: 1, maxHeavyRequests: 1 });
    });
  });

  it('is documented in the README: every setting, with its default', () => {
    const readme = fs.readFileSync(path.join(__dirname, '../README.md'), 'utf8');
    for (const s of SETTINGS) {
      const row = readme.split('\n').find((l) => l.startsWith(`| \`${s.env}\` |`));
      expect(row).toBeDefined();
      expect(row).toContain(s.def === '' ? '(unset)' : `\`${s.def}\``);
    }
  });
});
