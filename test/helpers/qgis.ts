import { spawnSync } from 'node:child_process';
import { PY } from './owslib';

/**
 * True when the distribution's python3 imports QGIS (Debian python3-qgis, which brings the OAPIF
 * provider in qgis-providers). CI sets REEFGATE_REQUIRE_TOOLS=1: there a missing QGIS fails the suite
 * instead of skipping it.
 */
export function hasQgis(): boolean {
  const r = spawnSync(PY, ['-c', 'import qgis.core'], { stdio: 'ignore', env: { ...process.env, QT_QPA_PLATFORM: 'offscreen' } });
  const ok = !r.error && r.status === 0;
  if (!ok && process.env.REEFGATE_REQUIRE_TOOLS === '1') throw new Error('python3-qgis is required in CI');
  return ok;
}
