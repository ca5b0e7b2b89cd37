import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { JobCache, jobKey } from '../../../bench/lib/job-cache';

describe('benchmark job cache', () => {
  it('keys jobs by their exact settings', () => {
    assert.equal(jobKey({ a: 1, yaml: 'seed: 1\n' }), jobKey({ a: 1, yaml: 'seed: 1\n' }));
    assert.notEqual(jobKey({ a: 1, yaml: 'seed: 1\n' }), jobKey({ a: 1, yaml: 'seed: 2\n' }));
  });

  it('returns what was put under a key, in a new instance too, and nothing for other keys', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-cache-'));
    new JobCache<{ accuracy: number }>(dir, 'search').put('k1', { accuracy: 0.98 });
    const again = new JobCache<{ accuracy: number }>(dir, 'search');
    assert.deepEqual(again.get('k1'), { accuracy: 0.98 });
    assert.equal(again.get('k2'), undefined);
    assert.equal(new JobCache(dir, 'other').get('k1'), undefined);
    assert.deepEqual(fs.readdirSync(path.join(dir, 'search')), ['k1.json']);
  });
});
