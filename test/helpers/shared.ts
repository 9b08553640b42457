import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

const ROOT = path.resolve(__dirname, '../..');

/** The origin of a clone made from a local checkout (`git clone /work/main /tmp/x`), if any. */
function localOrigin(): string | undefined {
  try {
    const url = execFileSync('git', ['-C', ROOT, 'config', '--get', 'remote.origin.url'], { encoding: 'utf8' }).trim();
    return url && !/^[a-z+]+:\/\//i.test(url) && !url.includes('@') ? path.resolve(ROOT, url) : undefined;
  } catch {
    return undefined;
  }
}

/**
 * The shared material (OGC schemas, client notes) that lives beside the project: REEFGATE_SHARED_DIR
 * when set, else ../shared, else ../shared of the checkout this one was cloned from — so a clean clone
 * anywhere on the machine (CI's `git clone . /tmp/ci-check`) validates against the same schemas.
 */
export const SHARED_DIR: string = (() => {
  const candidates = [process.env.REEFGATE_SHARED_DIR, path.resolve(ROOT, '../shared')];
  const origin = localOrigin();
  if (origin) candidates.push(path.resolve(origin, '../shared'));
  return candidates.find((d): d is string => !!d && fs.existsSync(path.join(d, 'ogc-schemas'))) ?? path.resolve(ROOT, '../shared');
})();
