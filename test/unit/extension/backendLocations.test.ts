import { strict as assert } from 'node:assert';
import * as os from 'node:os';
import * as path from 'node:path';
import { BACKEND_LOCATIONS_ENV, parseBackendLocations } from '../../../src/protocol/backend-modules';
import { extensionBackendLocations, proxyEnvironment } from '../../../src/extension/backends/backendLocations';
import { buildTrainerLaunch, TrainerLaunchError } from '../../../src/extension/runs/trainerLaunch';

const base = {
  trainerScript: '/ext/dist/trainer.js',
  nodePath: '',
  hostExecPath: '/usr/bin/node',
  hostElectronVersion: undefined,
  baseEnv: { PATH: '/usr/bin' },
};

describe('backend package locations from the extension', () => {
  it('resolves the setting against the workspace folder and puts the private folder in global storage', () => {
    const locations = extensionBackendLocations({ settingPath: ' gpu-libs ', workspaceFolder: '/ws', globalStorage: '/gs' });
    assert.deepEqual(locations, { privateDir: '/gs/backend-modules', workspace: '/ws', modulesPath: '/ws/gpu-libs', modulesPathOrigin: 'setting' });
    assert.equal(extensionBackendLocations({ settingPath: '~/tf', workspaceFolder: undefined, globalStorage: '/gs' }).modulesPath, path.join(os.homedir(), 'tf'));
    assert.deepEqual(extensionBackendLocations({ settingPath: '', workspaceFolder: undefined, globalStorage: '/gs' }), { privateDir: '/gs/backend-modules' });
    assert.throws(() => extensionBackendLocations({ settingPath: 'rel', workspaceFolder: undefined, globalStorage: '/gs' }), /resbuilder\.backendModulesPath: "rel" is relative/);
  });

  it('hands them to the trainer in one validated variable, which the trainer reads back', () => {
    const locations = extensionBackendLocations({ settingPath: '/opt/tf', workspaceFolder: '/ws', globalStorage: '/gs' });
    const launch = buildTrainerLaunch({ ...base, action: { kind: 'run', configPath: '/ws/a.resbuilder.yaml' }, backendLocations: locations });
    assert.deepEqual(parseBackendLocations(launch.env[BACKEND_LOCATIONS_ENV]), locations);
    const without = buildTrainerLaunch({ ...base, action: { kind: 'run', configPath: '/ws/a.resbuilder.yaml' } });
    assert.equal(without.env[BACKEND_LOCATIONS_ENV], undefined);
    assert.throws(
      () => buildTrainerLaunch({ ...base, action: { kind: 'resume', runDir: '/ws/r' }, backendLocations: { privateDir: 'relative' } }),
      (error: unknown) => error instanceof TrainerLaunchError && /privateDir: must be an absolute path/.test(error.message),
    );
  });

  it('starts `resbuilder backends …` in the given folder', () => {
    const launch = buildTrainerLaunch({ ...base, action: { kind: 'backends', args: ['install', 'tensorflow-gpu', '--json'], cwd: '/ws' } });
    assert.deepEqual(launch.args, ['backends', 'install', 'tensorflow-gpu', '--json']);
    assert.equal(launch.cwd, '/ws');
    assert.throws(() => buildTrainerLaunch({ ...base, action: { kind: 'backends', args: [], cwd: 'ws' } }), TrainerLaunchError);
  });

  it("passes VS Code's http.proxy to npm and the install script unless the user set the variables", () => {
    assert.deepEqual(proxyEnvironment('http://proxy:3128', true, {}), {
      HTTPS_PROXY: 'http://proxy:3128',
      https_proxy: 'http://proxy:3128',
      HTTP_PROXY: 'http://proxy:3128',
      http_proxy: 'http://proxy:3128',
    });
    assert.deepEqual(proxyEnvironment('http://proxy:3128', false, { HTTPS_PROXY: 'http://mine:1', https_proxy: 'x', HTTP_PROXY: 'y', http_proxy: 'z' }), { npm_config_strict_ssl: 'false' });
    assert.deepEqual(proxyEnvironment('', true, {}), {});
  });
});
