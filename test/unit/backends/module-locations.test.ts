import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { BACKEND_LOCATIONS_ENV, BACKEND_MODULES_ENV, BackendLocationsError } from '../../../src/protocol/backend-modules';
import { defaultPrivateDir, locationsFromEnvironment, lookupBackendModule, moduleFolders } from '../../../src/trainer/backends/module-locations';
import { installStandIn } from './fixtures/stand-in-package';

const GPU = '@tensorflow/tfjs-node-gpu';

describe('backend package locations', () => {
  let root: string;
  let named: string;
  let workspace: string;
  let privateDir: string;
  beforeEach(() => {
    root = fs.mkdtempSync(path.join(os.tmpdir(), 'resbuilder-locations-'));
    [named, workspace, privateDir] = ['named', 'workspace', 'private'].map((d) => path.join(root, d));
    for (const dir of [named, workspace, privateDir]) fs.mkdirSync(dir);
  });
  afterEach(() => fs.rmSync(root, { recursive: true, force: true }));

  const locations = () => ({ modulesPath: named, modulesPathOrigin: 'setting' as const, workspace, privateDir });

  it('takes the named folder first, then the workspace, then the private folder', () => {
    installStandIn(named, { name: GPU, version: '4.22.1' });
    installStandIn(workspace, { name: GPU, version: '4.22.2' });
    installStandIn(privateDir, { name: GPU, version: '4.22.3' });
    const order: Array<[string, string]> = [];
    for (const remove of [named, workspace, privateDir]) {
      const lookup = lookupBackendModule(GPU, locations());
      assert.ok(lookup.found);
      order.push([lookup.module.source, lookup.module.version]);
      assert.equal(lookup.module.dir, path.join(remove, 'node_modules', '@tensorflow', 'tfjs-node-gpu'));
      fs.rmSync(path.join(remove, 'node_modules'), { recursive: true });
    }
    assert.deepEqual(order, [['path', '4.22.1'], ['workspace', '4.22.2'], ['private', '4.22.3']]);
  });

  it('falls back to the trainer\'s own folder, and lists every place it looked when nothing has the package', () => {
    // The project's own node_modules has no tfjs-node-gpu (it cannot be installed here).
    const lookup = lookupBackendModule(GPU, locations());
    assert.equal(lookup.found, false);
    assert.ok(!lookup.found);
    assert.equal(lookup.searched.length, 4);
    assert.match(lookup.searched[0], /^the resbuilder\.backendModulesPath setting \(.*named\/node_modules\)$/);
    assert.match(lookup.searched[1], /^the workspace's node_modules/);
    assert.match(lookup.searched[2], /^the private backend folder/);
    assert.match(lookup.searched[3], /^the trainer's own folder/);
    // A package of the trainer's own folder is found there, after the three others.
    const own = lookupBackendModule('@tensorflow/tfjs', locations());
    assert.ok(own.found);
    assert.equal(own.module.source, 'trainer');
  });

  it('accepts a node_modules folder itself as the named folder, and says when a folder does not exist', () => {
    installStandIn(named, { name: GPU });
    const direct = lookupBackendModule(GPU, { modulesPath: path.join(named, 'node_modules') });
    assert.ok(direct.found);
    assert.equal(direct.module.source, 'path');
    const missing = lookupBackendModule(GPU, { modulesPath: path.join(root, 'nowhere'), modulesPathOrigin: 'flag' });
    assert.ok(!missing.found);
    assert.match(missing.searched[0], /^--backend-modules \(.*nowhere\/node_modules, no such folder\)$/);
  });

  it('reads the extension\'s locations and the batch-job variable from the environment', () => {
    const passed = { privateDir, workspace };
    const env = { [BACKEND_LOCATIONS_ENV]: JSON.stringify(passed), [BACKEND_MODULES_ENV]: 'mods', HOME: root };
    const fromEnv = locationsFromEnvironment(env, root);
    assert.deepEqual(fromEnv, { privateDir, workspace, modulesPath: path.join(root, 'mods'), modulesPathOrigin: 'env' });
    assert.deepEqual(moduleFolders(fromEnv).map((f) => f.source), ['path', 'workspace', 'private']);
    // The setting the extension passed wins over the variable.
    const setting = locationsFromEnvironment({ [BACKEND_LOCATIONS_ENV]: JSON.stringify({ modulesPath: named, modulesPathOrigin: 'setting' }), [BACKEND_MODULES_ENV]: 'mods' }, root);
    assert.equal(setting.modulesPath, named);
    assert.equal(setting.workspace, root);
    assert.equal(setting.privateDir, defaultPrivateDir({}));
  });

  it('rejects a malformed value from the extension, naming the variable and the field', () => {
    assert.throws(() => locationsFromEnvironment({ [BACKEND_LOCATIONS_ENV]: '{"privateDir": "relative/dir"}' }, root), (error: unknown) => {
      assert.ok(error instanceof BackendLocationsError);
      assert.match(error.message, /^RESBUILDER_BACKEND_LOCATIONS: privateDir: must be an absolute path/);
      return true;
    });
    assert.throws(() => locationsFromEnvironment({ [BACKEND_LOCATIONS_ENV]: '{"gpu": true}' }, root), /RESBUILDER_BACKEND_LOCATIONS: .*gpu/);
    assert.throws(() => locationsFromEnvironment({ [BACKEND_LOCATIONS_ENV]: 'not json' }, root), /RESBUILDER_BACKEND_LOCATIONS: not JSON/);
  });
});
