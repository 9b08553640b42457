import fs from 'node:fs';
import path from 'node:path';

let root: string | undefined;

/** Directory of the package (where package.json is), whether running from src/ under jest or from dist/. */
export function packageRoot(): string {
  if (root) return root;
  let dir = __dirname;
  while (!fs.existsSync(path.join(dir, 'package.json'))) {
    const up = path.dirname(dir);
    if (up === dir) throw new Error('package.json not found above ' + __dirname);
    dir = up;
  }
  root = dir;
  return dir;
}
