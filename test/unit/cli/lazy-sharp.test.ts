/**
 * The trainer bundle loads sharp only when it decodes or encodes an image (src/trainer/image-codec.ts):
 * sharp's exit handler crashed finished runs on datasets without image files (SIGSEGV at exit).
 * Reads the built bundle (npm test builds it first) in a fresh process.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';

const ROOT = path.resolve(__dirname, '../../..');
const TRAINER = path.join(ROOT, 'dist/trainer.js');

/** Loads the bundle in a new Node process, runs `then` there, and says which sharp files it loaded. */
function sharpFilesAfter(then: string): string[] {
  const script = `require(${JSON.stringify(TRAINER)});
Promise.resolve(${then}).then(() => {
  process.stdout.write(JSON.stringify(Object.keys(require.cache).filter((k) => /[\\\\/]@img[\\\\/]sharp|[\\\\/]sharp[\\\\/]/.test(k))));
});`;
  return JSON.parse(execFileSync(process.execPath, ['-e', script], { encoding: 'utf8', cwd: ROOT })) as string[];
}

describe('the trainer bundle and sharp', function () {
  this.timeout(60_000);

  before(() => assert.ok(fs.existsSync(TRAINER), 'dist/trainer.js is built (npm test builds it first)'));

  it('does not load sharp when the bundle is loaded', () => {
    assert.deepEqual(sharpFilesAfter('undefined'), []);
  });

  it('sees sharp in the same process once something requires it, so the check above can fail', () => {
    const files = sharpFilesAfter(`require('sharp')`);
    assert.ok(files.some((f) => f.endsWith('.node')), `sharp's addon among ${files.join(', ')}`);
  });
});
