import fs from 'node:fs';
import path from 'node:path';

/** One suspected secret in a committed file. */
export interface SecretFinding {
  file: string;
  line: number;
  rule: string;
  text: string;
}

/** Values that are obviously not real credentials: placeholders, interpolations, empty. */
const PLACEHOLDER = /^(change[-_]?me|changeme|example|placeholder|xxx+|\*+|<[^>]*>|\$\{[^}]*\}|\$\$?[A-Za-z_][A-Za-z0-9_]*|)$/i;
const CONFIG_FILE = /(^|\/)(\.env[^/]*|Dockerfile[^/]*|[^/]+\.(ya?ml|cfg|conf|ini|properties|env|sh|toml))$/;
const SECRET_KEY = /(password|passwd|pwd|secret|token|api[_-]?key|access[_-]?key)/i;

const RULES: { name: string; re: RegExp; only?: RegExp; value?: (m: RegExpMatchArray) => string }[] = [
  { name: 'private key', re: /-----BEGIN (?:RSA |EC |DSA |OPENSSH |PGP )?PRIVATE KEY-----/ },
  { name: 'AWS access key', re: /\bAKIA[0-9A-Z]{16}\b/ },
  { name: 'GitHub token', re: /\bgh[pousr]_[A-Za-z0-9]{36,}\b/ },
  { name: 'npm token', re: /\bnpm_[A-Za-z0-9]{36}\b/ },
  // A URL with user, colon, a literal password and "@host".
  { name: 'password in URL', re: /\b[a-z][a-z0-9+.-]*:\/\/[^\s:/@'"`]+:([^\s@/'"`]+)@/i, value: (m) => m[1] },
  // KEY=value / key: value in configuration files where the key names a secret.
  {
    name: 'secret assignment',
    only: CONFIG_FILE,
    re: /^\s*-?\s*["']?([A-Za-z0-9_.-]*)["']?\s*[:=]\s*["']?([^"'\s#]*)/,
    // A *_FILE key names where a secret is (API_KEYS_FILE: /run/secrets/api_keys), not the secret.
    value: (m) => (SECRET_KEY.test(m[1]) && !/_FILE$/i.test(m[1]) ? m[2] : ''),
  },
];

/** Scans the text of one file; returns what looks like a real credential. */
export function scanText(file: string, text: string): SecretFinding[] {
  const out: SecretFinding[] = [];
  text.split('\n').forEach((lineText, i) => {
    for (const r of RULES) {
      if (r.only && !r.only.test(file)) continue;
      const m = lineText.match(r.re);
      if (!m) continue;
      if (r.value) {
        const v = r.value(m);
        if (PLACEHOLDER.test(v) || /\$\{/.test(v)) continue;
      }
      out.push({ file, line: i + 1, rule: r.name, text: lineText.trim().slice(0, 120) });
    }
  });
  return out;
}

/** Scans files (paths relative to root), skipping binaries and lock files. */
export function scanFiles(root: string, files: string[]): SecretFinding[] {
  const out: SecretFinding[] = [];
  for (const f of files) {
    if (/(^|\/)package-lock\.json$|\.(gz|png|jpg|ico|tar|nc|woff2?)$/.test(f)) continue;
    const abs = path.join(root, f);
    if (!fs.existsSync(abs) || !fs.statSync(abs).isFile()) continue;
    const buf = fs.readFileSync(abs);
    if (buf.includes(0)) continue;
    out.push(...scanText(f, buf.toString('utf8')));
  }
  return out;
}
