/**
 * Root hooks of the Slurm tests: a real one-node cluster (scripts/slurm-test-cluster.sh) is
 * started before the first test and stopped after the last, in its own folder under /tmp.
 */
import { execFileSync } from 'node:child_process';
import * as path from 'node:path';

const SCRIPT = path.resolve(__dirname, '../../scripts/slurm-test-cluster.sh');
process.env.RESBUILDER_SLURM_DIR ??= '/tmp/resbuilder-slurm-test';
process.env.SLURM_CONF = path.join(process.env.RESBUILDER_SLURM_DIR, 'slurm.conf');

export const mochaHooks = {
  beforeAll(this: Mocha.Context) {
    this.timeout(15 * 60_000);
    execFileSync('bash', [SCRIPT, 'start'], { stdio: 'inherit' });
  },
  afterAll(this: Mocha.Context) {
    this.timeout(60_000);
    execFileSync('bash', [SCRIPT, 'stop'], { stdio: 'inherit' });
  },
};
