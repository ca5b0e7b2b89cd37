/**
 * The real one-node cluster (scripts/slurm-test-cluster.sh) the Slurm tests run on, in its own
 * folder under /tmp: root hooks for test/slurm (started before the first test, stopped after the
 * last), and the same start and stop for the end-to-end test that submits from the editor.
 */
import { execFileSync } from 'node:child_process';
import * as path from 'node:path';

const SCRIPT = path.resolve(__dirname, '../../scripts/slurm-test-cluster.sh');
process.env.RESBUILDER_SLURM_DIR ??= '/tmp/resbuilder-slurm-test';
// Every sbatch, squeue and scancel of the tests and of the processes they start finds the cluster by this.
process.env.SLURM_CONF = path.join(process.env.RESBUILDER_SLURM_DIR, 'slurm.conf');

/** Starts the cluster (installs slurm-wlm and munge when missing); a running one is reused. */
export function startTestCluster(): void {
  execFileSync('bash', [SCRIPT, 'start'], { stdio: 'inherit' });
}

/** Cancels every job and stops what `startTestCluster` started. */
export function stopTestCluster(): void {
  execFileSync('bash', [SCRIPT, 'stop'], { stdio: 'inherit' });
}

export const mochaHooks = {
  beforeAll(this: Mocha.Context) {
    this.timeout(15 * 60_000);
    startTestCluster();
  },
  afterAll(this: Mocha.Context) {
    this.timeout(60_000);
    stopTestCluster();
  },
};
