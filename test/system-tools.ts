import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const INSTALL = fileURLToPath(new URL('../scripts/system/install.sh', import.meta.url));

/** Long enough for apt to fetch and install TeX Live on a slow mirror. */
export const INSTALL_TIMEOUT_MS = 15 * 60_000;

/**
 * Whether a tool the tests drive for real is there, installed first where `present` says it is
 * missing and this runs as root (scripts/system/install.sh, as the Slurm tests install Slurm), so
 * that `npm test` passes on a bare Debian machine as `.ci/run` does. Elsewhere it says why it could
 * not, and the test then fails with how to install the tool.
 */
export function ensureTool(tool: 'chromium' | 'latex', present: () => boolean): boolean {
  if (present()) return true;
  if (process.getuid?.() !== 0) return false;
  const install = spawnSync('bash', [INSTALL, tool], { encoding: 'utf8', timeout: INSTALL_TIMEOUT_MS });
  if (install.status !== 0) console.warn(`could not install ${tool}: ${install.error?.message ?? install.stderr.trim().split('\n').slice(-3).join(' | ')}`);
  return present();
}
