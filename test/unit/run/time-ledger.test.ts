import * as assert from 'node:assert/strict';
import { TimeLedger, timeReportLines } from '../../../src/trainer/run/time-ledger';

/** A clock the test moves by hand, so the ledger's sums can be checked exactly. */
function manualClock(): { now: () => number; advance: (ms: number) => void } {
  let t = 0;
  return { now: () => t, advance: (ms) => (t += ms) };
}

describe('run time ledger', () => {
  it('charges a section its own time, without the sections nested in it', () => {
    const clock = manualClock();
    const ledger = new TimeLedger(clock.now);
    ledger.time('training-steps', () => {
      clock.advance(1000);
      ledger.time('checkpoints', () => clock.advance(200));
      ledger.time('evaluation', () => {
        clock.advance(300);
        ledger.time('events', () => clock.advance(50));
      });
      clock.advance(500);
    });
    clock.advance(100);
    const report = ledger.report();
    assert.equal(report.wallSeconds, 2.15);
    assert.equal(report.seconds['training-steps'], 1.5);
    assert.equal(report.seconds.checkpoints, 0.2);
    assert.equal(report.seconds.evaluation, 0.3);
    assert.equal(report.seconds.events, 0.05);
    assert.ok(Math.abs(report.untimedSeconds - 0.1) < 1e-12);
    assert.equal(report.calls.checkpoints, 1);
    assert.equal(report.calls.structure, 0);
  });

  it('closes a section that throws, and awaits asynchronous ones', async () => {
    const clock = manualClock();
    const ledger = new TimeLedger(clock.now);
    assert.throws(() => ledger.time('structure', () => {
      clock.advance(40);
      throw new Error('rebuild failed');
    }), /rebuild failed/);
    await ledger.timeAsync('export', async () => {
      await Promise.resolve();
      clock.advance(60);
    });
    ledger.time('data', () => clock.advance(10));
    const report = ledger.report();
    assert.equal(report.seconds.structure, 0.04);
    assert.equal(report.seconds.export, 0.06);
    assert.equal(report.seconds.data, 0.01);
  });

  it('times every value an iterator yields, not the loop body that uses it', () => {
    const clock = manualClock();
    const ledger = new TimeLedger(clock.now);
    function* batches(): Generator<number> {
      for (let i = 0; i < 3; i++) {
        clock.advance(5);
        yield i;
      }
      clock.advance(1);
    }
    ledger.time('training-steps', () => {
      for (const b of ledger.timeEach('data', batches())) {
        assert.ok(b >= 0);
        clock.advance(100);
      }
    });
    const report = ledger.report();
    assert.equal(report.calls.data, 4);
    assert.equal(report.seconds.data, 0.016);
    assert.equal(report.seconds['training-steps'], 0.3);
  });

  it('counts the sections still open up to the report, each without the ones inside it', () => {
    const clock = manualClock();
    const ledger = new TimeLedger(clock.now);
    let inside: ReturnType<TimeLedger['report']> | null = null;
    ledger.time('export', () => {
      clock.advance(30);
      ledger.time('checkpoints', () => clock.advance(5));
      ledger.time('events', () => {
        clock.advance(2);
        inside = ledger.report();
      });
    });
    assert.equal(inside!.seconds.export, 0.03);
    assert.equal(inside!.seconds.checkpoints, 0.005);
    assert.equal(inside!.seconds.events, 0.002);
    assert.equal(inside!.untimedSeconds, 0);
  });

  it('lists the categories that ran, largest first, with their share of the wall time', () => {
    const clock = manualClock();
    const ledger = new TimeLedger(clock.now);
    ledger.time('evaluation', () => clock.advance(250));
    ledger.time('training-steps', () => clock.advance(750));
    const lines = timeReportLines(ledger.report());
    assert.equal(lines.length, 3);
    assert.match(lines[0], /^training steps\s+0\.8 s\s+75\.0 %$/);
    assert.match(lines[1], /^evaluation \(validation, test\)\s+0\.3 s\s+25\.0 %$/);
    assert.match(lines[2], /^untimed/);
  });
});
