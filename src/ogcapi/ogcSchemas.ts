/**
 * The OGC API – Features Part 1 response schemas, read from schemas/ogcapi-features/ (the OGC's own
 * files, see the README there) as OpenAPI components. They are the one description of those
 * responses: the OpenAPI document publishes them and the tests validate real responses against them.
 */
import fs from 'node:fs';
import path from 'node:path';
import { packageRoot } from '../paths';
import type { Schema } from './routes';

let loaded: Readonly<Record<string, Schema>> | undefined;

/** Directory of the schema files. */
export function ogcSchemaDir(): string {
  return path.join(packageRoot(), 'schemas', 'ogcapi-features');
}

/** Every OGC schema by component name (file name without `.json`), read once. */
export function ogcSchemas(): Readonly<Record<string, Schema>> {
  if (loaded) return loaded;
  const dir = ogcSchemaDir();
  const out: Record<string, Schema> = {};
  for (const f of fs.readdirSync(dir).filter((n) => n.endsWith('.json')).sort()) {
    out[f.slice(0, -'.json'.length)] = JSON.parse(fs.readFileSync(path.join(dir, f), 'utf8')) as Schema;
  }
  loaded = Object.freeze(out);
  return loaded;
}
