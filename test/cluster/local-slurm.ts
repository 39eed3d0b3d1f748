/**
 * A real one-node Slurm cluster for the end-to-end tests, started and stopped with
 * scripts/slurm/*.sh in a private state folder and on free ports, so it never touches a
 * cluster that is already running on the machine.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const scripts = fileURLToPath(new URL('../../scripts/slurm/', import.meta.url));

export interface LocalSlurm {
  /** Environment for sbatch, squeue, scontrol and the harness: SLURM_CONF points at this cluster. */
  env: NodeJS.ProcessEnv;
  dir: string;
  /** Stops the daemons by the PIDs in their pid files. */
  stop(): void;
}

export type SlurmAvailability = { cluster: LocalSlurm } | { unavailable: string };

function run(script: string, env: NodeJS.ProcessEnv) {
  const result = spawnSync('bash', [join(scripts, script)], { env, encoding: 'utf8', timeout: 180_000 });
  return { ok: result.status === 0, output: `${result.stdout ?? ''}${result.stderr ?? ''}`.trim() };
}

function portFree(port: number): Promise<boolean> {
  return new Promise((done) => {
    const server = createServer();
    server.once('error', () => done(false));
    server.listen(port, '127.0.0.1', () => server.close(() => done(true)));
  });
}

/** Two consecutive free ports (slurmctld, slurmd) from `from` upwards. */
async function freePortPair(from: number): Promise<number> {
  for (let port = from; port < from + 200; port += 2) {
    if ((await portFree(port)) && (await portFree(port + 1))) return port;
  }
  throw new Error(`no two free consecutive ports in ${from}..${from + 200}`);
}

/**
 * Installs (when missing) and starts the cluster. Returns why it cannot when the machine does
 * not allow it (not root, no apt); a cluster that installs but fails to start is an error.
 */
export async function startLocalSlurm(): Promise<SlurmAvailability> {
  if (process.getuid?.() !== 0) return { unavailable: `Slurm needs root to run slurmd and munged; running as uid ${process.getuid?.()}` };
  const install = run('install.sh', process.env);
  if (!install.ok) return { unavailable: `could not install Slurm: ${install.output.split('\n').slice(-3).join(' | ')}` };
  const dir = mkdtempSync('/tmp/harness-slurm-test-');
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    HARNESS_SLURM_DIR: dir,
    HARNESS_SLURM_PORT: String(await freePortPair(7817)),
    SLURM_CONF: join(dir, 'slurm.conf'),
  };
  const start = run('start.sh', env);
  const cluster: LocalSlurm = {
    env,
    dir,
    stop: () => {
      const stop = run('stop.sh', env);
      if (!stop.ok) throw new Error(`stopping Slurm failed:\n${stop.output}`);
    },
  };
  if (!start.ok) {
    cluster.stop();
    throw new Error(`Slurm is installed but did not start:\n${start.output}`);
  }
  return { cluster };
}
