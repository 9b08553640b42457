import fs from 'node:fs';
import path from 'node:path';
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

  it('is documented in the README: every setting, with its default', () => {
    const readme = fs.readFileSync(path.join(__dirname, '../README.md'), 'utf8');
    for (const s of SETTINGS) {
      const row = readme.split('\n').find((l) => l.startsWith(`| \`${s.env}\` |`));
      expect(row).toBeDefined();
      expect(row).toContain(s.def === '' ? '(unset)' : `\`${s.def}\``);
    }
  });
});
