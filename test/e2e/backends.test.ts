/**
 * The compute-backend check in a real VS Code (code-server): the status bar's backend item
 * next to a config opens "Check Compute Backends", which runs the trainer's doctor on the real
 * backends of this machine and reports which one a run takes.
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { openFile, screenshot } from './harness/workbench';
import { useWorkbench } from './harness/session';

const FIXTURES = path.join(__dirname, 'fixtures');

describe('compute backends in code-server', function () {
  this.timeout(15 * 60_000);
  const session = useWorkbench({
    name: 'backends',
    bundles: ['trainer.js'],
    prepare: (workspace) => fs.copyFileSync(path.join(FIXTURES, 'tiny.resbuilder.yaml'), path.join(workspace, 'tiny.resbuilder.yaml')),
  });

  it('opens the backend check from the status bar and says which backend a run takes', async () => {
    const page = session.page;
    await openFile(page, 'tiny.resbuilder.yaml');
    const item = page.locator('.statusbar-item', { hasText: 'Backends' }).first();
    await item.waitFor({ timeout: 5 * 60_000 });
    await item.click();
    const message = page.locator('.notification-list-item-message', { hasText: 'Runs with backend: auto take' }).first();
    await message.waitFor({ timeout: 5 * 60_000 });
    const text = (await message.textContent()) ?? '';
    // The native addon is built on the test machine; wasm is what a machine without it takes.
    assert.match(text, /Runs with backend: auto take (native|wasm) here \(\d+(\.\d)? img\/s\)\. GPU: missing package: @tensorflow\/tfjs-node-gpu is not installed\./);
    // The status bar now names the backend the check found.
    // Its text is the chip icon and the name.
    await page.locator('.statusbar-item', { hasText: /^\s*(native|wasm)\s*$/ }).first().waitFor({ timeout: 30_000 });
    // The output channel has the doctor's table.
    await page.locator('.output-view, .monaco-editor', { hasText: 'Backend packages (@tensorflow/tfjs-node-gpu, @tensorflow/tfjs-node) are looked for in this order' }).first().waitFor({ timeout: 30_000 });
    await screenshot(page, 'backends-check');
  });
});
