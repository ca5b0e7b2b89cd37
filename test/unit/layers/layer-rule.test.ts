/**
 * The layer rule in .dependency-cruiser.cjs (run by `npm run lint`) on small source trees laid
 * out like this repository: a tree that keeps to the rule passes, and each kind of back edge or
 * cycle is reported under the rule's name.
 */
import * as assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

const ROOT = path.resolve(__dirname, '../../..');
const CLI = path.join(ROOT, 'node_modules/dependency-cruiser/bin/dependency-cruise.mjs');
const CONFIG = path.join(ROOT, '.dependency-cruiser.cjs');

/** A tree that follows the rule; each test adds one file to it. */
const clean: Record<string, string> = {
  'src/core/arch.ts': 'export const width = 16;\n',
  'src/protocol/events.ts': "import { width } from '../core/arch';\nexport const event = { width };\n",
  'src/trainer/main.ts': "import { event } from '../protocol/events';\nimport { width } from '../core/arch';\nexport const run = [event, width];\n",
  'src/extension/host.ts': "import { event } from '../protocol/events';\nexport const host = event;\n",
  'webview/panel.ts': "import { width } from '../src/core/arch';\nexport const panel = width;\n",
  'bench/engine.ts': "import { run } from '../src/trainer/main';\nexport const bench = run;\n",
  'test/unit/arch.test.ts': "import { bench } from '../../bench/engine';\nimport { host } from '../../src/extension/host';\nexport const t = [bench, host];\n",
};

interface Violation {
  from: string;
  to: string;
  rule: { name: string };
}

function cruise(extra: Record<string, string>): Violation[] {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'resbuilder-layers-'));
  try {
    for (const [file, text] of Object.entries({ ...clean, ...extra })) {
      fs.mkdirSync(path.dirname(path.join(dir, file)), { recursive: true });
      fs.writeFileSync(path.join(dir, file), text);
    }
    const roots = ['src', 'webview', 'bench', 'test'];
    let out: string;
    try {
      out = execFileSync(process.execPath, [CLI, ...roots, '--config', CONFIG, '--output-type', 'json'], { cwd: dir, encoding: 'utf8' });
    } catch (error) {
      // depcruise exits with the number of errors; the JSON report is still on stdout.
      out = (error as { stdout: string }).stdout;
    }
    const report = JSON.parse(out) as { summary: { violations: Violation[] } };
    return report.summary.violations;
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

describe('layer rule (dependency-cruiser)', function () {
  this.timeout(120_000);

  it('passes a tree whose dependencies point towards core', () => {
    assert.deepEqual(cruise({}), []);
  });

  it('reports every back edge and cycle under its rule', () => {
    const v = cruise({
      // The back edge between the two lowest layers.
      'src/core/change.ts': "import { event } from '../protocol/events';\nexport const c = event;\n",
      'src/core/ui.ts': "import * as vscode from 'vscode';\nexport const ui = vscode;\n",
      'src/protocol/panel.ts': "import { run } from '../trainer/main';\nexport const p = run;\n",
      'src/extension/launch.ts': "import { run } from '../trainer/main';\nimport { panel } from '../../webview/panel';\nexport const l = [run, panel];\n",
      'src/trainer/ipc.ts': "import { host } from '../extension/host';\nexport const i = host;\n",
      'webview/model.ts': "import { run } from '../src/trainer/main';\nexport const m = run;\n",
      'test/helpers/fixture.ts': 'export const fixture = 1;\n',
      'bench/panel.ts': "import { fixture } from '../test/helpers/fixture';\nexport const b = fixture;\n",
      'src/trainer/loop.ts': "import { exportResult } from './export';\nexport const loop = () => exportResult;\n",
      'src/trainer/export.ts': "import { loop } from './loop';\nexport const exportResult = () => loop;\n",
    });
    const found = v.map((x) => `${x.rule.name}: ${x.from} → ${x.to}`).sort();
    assert.deepEqual(found, [
      'bench-and-production-never-import-tests: bench/panel.ts → test/helpers/fixture.ts',
      'core-is-pure: src/core/ui.ts → vscode',
      'core-stands-alone: src/core/change.ts → src/protocol/events.ts',
      'extension-on-core-and-protocol: src/extension/launch.ts → src/trainer/main.ts',
      'extension-on-core-and-protocol: src/extension/launch.ts → webview/panel.ts',
      'no-cycle: src/trainer/export.ts → src/trainer/loop.ts',
      'protocol-on-core-only: src/protocol/panel.ts → src/trainer/main.ts',
      'trainer-on-core-and-protocol: src/trainer/ipc.ts → src/extension/host.ts',
      'webview-on-core-and-protocol: webview/model.ts → src/trainer/main.ts',
    ]);
  });
});
