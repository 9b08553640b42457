import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import { runClient } from './clientProcess';

/** The distribution's python3 carries python3-owslib; a pyenv/venv python3 earlier in PATH may not. */
export const PY = fs.existsSync('/usr/bin/python3') ? '/usr/bin/python3' : 'python3';

/**
 * True when `import <module>` works in PY. CI sets REEFGATE_REQUIRE_TOOLS=1: there a missing OWSLib
 * fails the suite instead of skipping it.
 */
export function hasOwslib(module = 'owslib'): boolean {
  const r = spawnSync(PY, ['-c', `import ${module}`], { stdio: 'ignore' });
  const ok = !r.error && r.status === 0;
  if (!ok && process.env.REEFGATE_REQUIRE_TOOLS === '1') throw new Error('python3-owslib is required in CI');
  return ok;
}

/**
 * Runs a Python script asynchronously and parses the JSON it prints. Asynchronous because the gateway
 * answers from this same process: a blocking spawnSync would deadlock. A non-zero exit throws with stderr.
 */
export async function runPythonJson(script: string, args: string[], timeoutMs = 120000): Promise<any> {
  const { status, stdout, stderr } = await runClient(PY, ['-c', script, ...args], timeoutMs);
  if (status !== 0) throw new Error(`python exited ${status}: ${stderr}`);
  try {
    return JSON.parse(stdout);
  } catch {
    throw new Error(`python printed no JSON: ${stdout.slice(0, 500)} ${stderr}`);
  }
}
