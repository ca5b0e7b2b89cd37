import * as assert from 'node:assert/strict';
import { buildTrainerLaunch, describeLaunch, TrainerLaunchError, type TrainerLaunchInput } from '../../../src/extension/runs/trainerLaunch';

const base: TrainerLaunchInput = {
  trainerScript: '/ext/dist/trainer.js',
  action: { kind: 'run', configPath: '/w/exp/mnist.resbuilder.yaml' },
  nodePath: '',
  hostExecPath: '/usr/bin/node',
  hostElectronVersion: undefined,
  baseEnv: { PATH: '/bin', NODE_OPTIONS: '--inspect', ELECTRON_RUN_AS_NODE: '1', UNSET: undefined },
};

describe('extension trainer launch', () => {
  it('runs a config with the host’s Node and the IPC flag, in the config’s folder', () => {
    const launch = buildTrainerLaunch(base);
    assert.deepEqual(launch.args, ['run', '/w/exp/mnist.resbuilder.yaml', '--ipc']);
    assert.equal(launch.execPath, '/usr/bin/node');
    assert.equal(launch.cwd, '/w/exp');
    assert.deepEqual(launch.execArgv, []);
    assert.equal(launch.env.PATH, '/bin');
    assert.equal('NODE_OPTIONS' in launch.env, false);
    assert.equal('ELECTRON_RUN_AS_NODE' in launch.env, false);
    assert.equal('UNSET' in launch.env, false);
  });

  it('resumes a run folder', () => {
    const launch = buildTrainerLaunch({ ...base, action: { kind: 'resume', runDir: '/w/.resbuilder/runs/r1' } });
    assert.deepEqual(launch.args, ['resume', '/w/.resbuilder/runs/r1', '--ipc']);
    assert.equal(launch.cwd, '/w/.resbuilder/runs/r1');
  });

  it('exports an architecture with the trainer bundle, into the folder of its .arch.json', () => {
    const launch = buildTrainerLaunch({ ...base, action: { kind: 'export', target: '/w/.resbuilder/runs/r1', formats: ['onnx', 'pytorch'], outDir: '/w' } });
    assert.deepEqual(launch.args, ['export', '/w/.resbuilder/runs/r1', '--format', 'onnx,pytorch', '--out', '/w']);
    assert.equal(launch.cwd, '/w');
    assert.throws(() => buildTrainerLaunch({ ...base, action: { kind: 'export', target: 'net.arch.json', formats: ['onnx'], outDir: '/w' } }), TrainerLaunchError);
  });

  it('makes Electron act as Node when the host is Electron and no Node is configured', () => {
    const launch = buildTrainerLaunch({ ...base, hostExecPath: '/opt/code/code', hostElectronVersion: '34.0.0' });
    assert.equal(launch.execPath, '/opt/code/code');
    assert.equal(launch.env.ELECTRON_RUN_AS_NODE, '1');
    assert.match(describeLaunch(launch), /^ELECTRON_RUN_AS_NODE=1 \/opt\/code\/code \/ext\/dist\/trainer\.js run/);
  });

  it('uses the configured Node without the Electron switch', () => {
    const launch = buildTrainerLaunch({ ...base, nodePath: ' /opt/node20/bin/node ', hostElectronVersion: '34.0.0' });
    assert.equal(launch.execPath, '/opt/node20/bin/node');
    assert.equal('ELECTRON_RUN_AS_NODE' in launch.env, false);
  });

  it('forces a backend with --backend only when one other than auto is chosen', () => {
    const forced = buildTrainerLaunch({ ...base, action: { kind: 'run', configPath: '/w/a.resbuilder.yaml', backend: 'wasm' } });
    assert.deepEqual(forced.args, ['run', '/w/a.resbuilder.yaml', '--ipc', '--backend', 'wasm']);
    const auto = buildTrainerLaunch({ ...base, action: { kind: 'run', configPath: '/w/a.resbuilder.yaml', backend: 'auto' } });
    assert.deepEqual(auto.args, ['run', '/w/a.resbuilder.yaml', '--ipc']);
  });

  it('rejects relative paths with a message that names them', () => {
    assert.throws(() => buildTrainerLaunch({ ...base, action: { kind: 'run', configPath: 'mnist.resbuilder.yaml' } }), (e: unknown) => e instanceof TrainerLaunchError && /mnist\.resbuilder\.yaml/.test(e.message));
    assert.throws(() => buildTrainerLaunch({ ...base, action: { kind: 'resume', runDir: 'runs/r1' } }), /runs\/r1/);
  });

  it('quotes paths with spaces in the printed command line', () => {
    const launch = buildTrainerLaunch({ ...base, action: { kind: 'run', configPath: "/w/my exp/it's.resbuilder.yaml" } });
    assert.match(describeLaunch(launch), /'\/w\/my exp\/it'\\''s\.resbuilder\.yaml'/);
  });
});
