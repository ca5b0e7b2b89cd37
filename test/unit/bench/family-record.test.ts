import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { type FamilyRecord, readFamilyRecord, recordedFamily, writeFamilyRecord } from '../../../bench/lib/family-record';
import { cifarResNet } from '../../../src/core/arch/seeds';
import { countFlops } from '../../../src/core/arch/cost';

const record = (): FamilyRecord => ({
  about: 'test',
  settings: { finalEpochs: 12, style: 'standard', version: '0.1.0' },
  datasets: {
    mnist: { seeds: [1, 2], measured: '2026-12-03', members: [{ depth: 8, width: 0.5, flops: 4.7e6, accuracy: 0.96, sd: 0.003, seeds: 2, cpuSeconds: 48 }] },
  },
});

describe('the recorded benchmark family', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'family-record-'));

  it('reads back what was written, and nothing where there is no file', () => {
    const file = path.join(dir, 'family.json');
    writeFamilyRecord(file, record());
    assert.deepEqual(readFamilyRecord(file), record());
    assert.equal(readFamilyRecord(path.join(dir, 'missing.json')), null);
  });

  it('serves a dataset only for the final epochs and block style it was trained with', () => {
    assert.equal(recordedFamily(record(), 'mnist', { finalEpochs: 12, style: 'standard' })?.members[0].accuracy, 0.96);
    assert.equal(recordedFamily(record(), 'mnist', { finalEpochs: 6, style: 'standard' }), null);
    assert.equal(recordedFamily(record(), 'mnist', { finalEpochs: 12, style: 'reference' }), null);
    assert.equal(recordedFamily(record(), 'fashion-mnist', { finalEpochs: 12, style: 'standard' }), null);
    assert.equal(recordedFamily(null, 'mnist', { finalEpochs: 12, style: 'standard' }), null);
  });

  it('names the file and the field of a broken record, and the file of one that is not JSON', () => {
    const bad = path.join(dir, 'bad.json');
    const broken = record() as unknown as { datasets: { mnist: { members: { accuracy: number }[] } } };
    broken.datasets.mnist.members[0].accuracy = 96;
    fs.writeFileSync(bad, JSON.stringify(broken));
    assert.throws(() => readFamilyRecord(bad), (e: Error) => e.message.includes(bad) && e.message.includes('datasets.mnist.members.0.accuracy'));
    fs.writeFileSync(bad, '{"about": ');
    assert.throws(() => readFamilyRecord(bad), (e: Error) => e.message.startsWith(`${bad} is not valid JSON`));
  });

  it("the repository's record parses and its FLOPs are those of the family's architectures", () => {
    const committed = readFamilyRecord(path.resolve(__dirname, '../../../bench/baselines/search-family.json'));
    assert.ok(committed);
    for (const [dataset, family] of Object.entries(committed.datasets)) {
      assert.equal(family.members.length, 12, dataset);
      for (const m of family.members) {
        const arch = cifarResNet({ height: 28, width: 28, channels: 1 }, 10, 'standard', { depth: m.depth, widthMultiplier: m.width });
        assert.equal(m.flops, countFlops(arch), `${dataset} ResNet-${m.depth} ×${m.width}`);
      }
    }
  });
});
