/**
 * `resbuilder backends install` runs the real npm. The registry's @tensorflow/tfjs-node cannot be
 * installed here (its install downloads libtensorflow), so a stand-in package (see
 * fixtures/stand-in-package.ts), `npm pack`ed to a tarball by the test, is installed instead
 * with --from: npm, its install script, the log, the result and the probe are all real.
 */
import { strict as assert } from 'node:assert';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { InstallReportSchema } from '../../../src/protocol/backend-install';
import { installBackendPackage, matchingVersion, packageSpec } from '../../../src/trainer/backends/install';
import { ADDON_INSTALL_SCRIPT, FAILING_DOWNLOAD_SCRIPT, packStandIn } from './fixtures/stand-in-package';

const CLI = path.resolve(__dirname, '../../../bin/resbuilder.js');

describe('installing a backend package with npm', () => {
  let root: string;
  before(() => {
    root = fs.mkdtempSync(path.join(os.tmpdir(), 'resbuilder-install-'));
  });
  after(() => fs.rmSync(root, { recursive: true, force: true }));

  it('asks the registry for the package version that matches the project\'s @tensorflow/tfjs', () => {
    const tfjs = JSON.parse(fs.readFileSync(require.resolve('@tensorflow/tfjs/package.json'), 'utf8')) as { version: string };
    assert.equal(matchingVersion(), tfjs.version);
    assert.equal(packageSpec('tensorflow-gpu'), `@tensorflow/tfjs-node-gpu@${tfjs.version}`);
  });

  it('installs a package tarball into the folder through the CLI, logs npm\'s output and probes the backend', () => {
    const tarball = packStandIn(root, { name: '@tensorflow/tfjs-node', installScript: ADDON_INSTALL_SCRIPT });
    const dir = path.join(root, 'private-ok');
    const result = spawnSync(process.execPath, [CLI, 'backends', 'install', 'tensorflow', '--dir', dir, '--from', tarball, '--json'], { encoding: 'utf8' });
    assert.equal(result.status, 0, result.stderr);
    const report = InstallReportSchema.parse(JSON.parse(result.stdout));
    assert.equal(report.installed, true);
    assert.equal(report.module?.dir, path.join(dir, 'node_modules', '@tensorflow', 'tfjs-node'));
    assert.match(result.stderr, /\$ npm install --prefix .* --foreground-scripts /);
    // The package's install script ran in the foreground and its output is in the log.
    assert.match(result.stderr, /\* stand-in addon written/);
    assert.equal(report.probe?.available, true, JSON.stringify(report.probe));
    assert.ok((report.probe?.imagesPerSecond ?? 0) > 0);
    assert.ok(fs.existsSync(path.join(dir, 'package.json')));
  });

  it('ends a failed libtensorflow download with the URL, the error and the offline way', async () => {
    const tarball = packStandIn(root, { name: '@tensorflow/tfjs-node', installScript: FAILING_DOWNLOAD_SCRIPT });
    const lines: string[] = [];
    const outcome = await installBackendPackage({ backend: 'tensorflow', dir: path.join(root, 'private-fail'), from: tarball, onLine: (l) => lines.push(l) });
    assert.equal(outcome.installed, false);
    assert.equal(
      outcome.failure,
      "the package's install script could not download libtensorflow from " +
        'https://storage.googleapis.com/tensorflow/libtensorflow/libtensorflow-cpu-linux-x86_64-2.9.1.tar.gz (ENOTFOUND)',
    );
    assert.match(outcome.offline ?? '', /TFJS_NODE_CDN_STORAGE=/);
    assert.match(outcome.offline ?? '', /resbuilder\.backendModulesPath/);
    assert.ok(lines.some((l) => l.includes('* Downloading libtensorflow')));
  });

  it('says so when npm cannot be found, and when the tarball does not exist', async () => {
    const noNpm = await installBackendPackage({ backend: 'tensorflow-gpu', dir: path.join(root, 'x'), npm: path.join(root, 'no-such-npm') });
    assert.equal(noNpm.installed, false);
    assert.match(noNpm.failure ?? '', /no-such-npm was not found: .*RESBUILDER_NPM/);
    const noFile = await installBackendPackage({ backend: 'tensorflow-gpu', dir: path.join(root, 'x'), from: path.join(root, 'missing.tgz') });
    assert.match(noFile.failure ?? '', /^--from: .*missing\.tgz does not exist/);
  });

  it('rejects a backend that is not installed with npm, in every output mode', () => {
    for (const extra of [[], ['--json']]) {
      const result = spawnSync(process.execPath, [CLI, 'backends', 'install', 'native', ...extra], { encoding: 'utf8' });
      assert.equal(result.status, 2);
      assert.match(result.stderr, /backends install: "native" cannot be installed; use one of tensorflow-gpu, tensorflow\./);
    }
  });
});
