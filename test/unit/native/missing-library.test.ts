/**
 * A packaged extension carries the native addon built where it was packaged; on a machine
 * without oneDNN the addon cannot load. The trainer must then say which library is missing and
 * how to install it, and `backend: auto` must train on wasm. The missing library is real here:
 * g++ links a stand-in addon against a library with the soname libdnnl.so.97, which the dynamic
 * loader cannot find on any machine (the library is built in a folder it never searches).
 */
import * as assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { loadNativeAddonFrom } from '../../../src/trainer/backends/native/addon';
import { debianPackageFor, missingSharedLibrary } from '../../../src/trainer/backends/native/missing-library';
import { selectBackend } from '../../../src/trainer/backends/select';
import { useBackend } from '../backends/compare';

const SONAME = 'libdnnl.so.97';

/** Builds an addon-shaped shared object that links against SONAME, which is then nowhere to be found. */
function addonWithMissingLibrary(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rbn-missing-'));
  fs.writeFileSync(path.join(dir, 'dnnl.cc'), 'extern "C" int stand_in_dnnl() { return 1; }\n');
  fs.writeFileSync(path.join(dir, 'addon.cc'), 'extern "C" int stand_in_dnnl();\nextern "C" int uses_dnnl() { return stand_in_dnnl(); }\n');
  const lib = path.join(dir, 'lib', SONAME);
  fs.mkdirSync(path.dirname(lib));
  execFileSync('g++', ['-shared', '-fPIC', `-Wl,-soname,${SONAME}`, '-o', lib, path.join(dir, 'dnnl.cc')]);
  const addon = path.join(dir, 'resbuilder_native.node');
  execFileSync('g++', ['-shared', '-fPIC', '-o', addon, path.join(dir, 'addon.cc'), lib, '-Wl,--no-as-needed']);
  return addon;
}

describe('native backend on a machine without oneDNN', function () {
  this.timeout(180_000);
  let addon: string;
  const previous = process.env.RESBUILDER_NATIVE_ADDON;

  before(() => {
    addon = addonWithMissingLibrary();
  });

  after(async () => {
    if (previous === undefined) delete process.env.RESBUILDER_NATIVE_ADDON;
    else process.env.RESBUILDER_NATIVE_ADDON = previous;
    fs.rmSync(path.dirname(addon), { recursive: true, force: true });
    await useBackend('wasm');
  });

  it('reads the missing library from the loader and names its Debian package', () => {
    assert.equal(missingSharedLibrary(`${SONAME}: cannot open shared object file: No such file or directory`), SONAME);
    assert.equal(missingSharedLibrary('invalid ELF header'), null);
    assert.equal(debianPackageFor('libdnnl.so.2'), 'libdnnl2');
    assert.equal(debianPackageFor('libgomp.so.1'), null);
  });

  it('says which library is missing and how to install it, instead of asking for a rebuild', () => {
    assert.throws(() => loadNativeAddonFrom([addon]), (error: Error) => {
      assert.match(error.message, new RegExp(`needs oneDNN's library ${SONAME.replace(/\./g, '\\.')}, which is not installed`));
      assert.match(error.message, /apt-get install libdnnl97/);
      assert.match(error.message, /backend: auto` trains on wasm/);
      assert.doesNotMatch(error.message, /Rebuild it/);
      return true;
    });
  });

  it('backend auto skips native with that reason and trains on wasm (real probe processes)', async () => {
    process.env.RESBUILDER_NATIVE_ADDON = addon;
    const report = await selectBackend('auto');
    assert.equal(report.name, 'wasm');
    assert.equal(tf.getBackend(), 'wasm');
    const native = report.skipped.find((s) => s.name === 'native');
    assert.ok(native, `native is not among the skipped backends: ${JSON.stringify(report.skipped)}`);
    assert.match(native.reason, /libdnnl\.so\.97, which is not installed.*apt-get install libdnnl97/);
  });
});
