/**
 * The state `resbuilder status` shows for a sweep task: what squeue/sacct say, put together with
 * the run's own record, case by case (docs/cluster.md).
 */
import { strict as assert } from 'node:assert';
import { HEARTBEAT_STALE_SECONDS, parseSchedulerLines, taskStatus, type SchedulerEntry, type TaskRecord } from '../../../src/core/sweep/scheduler';

const record = (r: Partial<TaskRecord>): TaskRecord => ({ lastOutcome: 'none', heartbeatAge: null, attempts: 0, cancelled: false, ...r });
const slurm = (state: string, reason = 'None'): SchedulerEntry => ({ id: '12_0', state, reason });

describe('scheduler lines', () => {
  it('reads lines with surrounding blanks and skips lines without a state', () => {
    const entries = parseSchedulerLines('  12_0|PENDING|Resources \r\n\n12_1\n|RUNNING|None\n');
    assert.deepEqual([...entries.values()], [{ id: '12_0', state: 'PENDING', reason: 'Resources' }]);
  });

  it('gives an empty reason when the line has none', () => {
    assert.deepEqual(parseSchedulerLines('12_0|RUNNING').get('12_0'), { id: '12_0', state: 'RUNNING', reason: '' });
  });

  it('keeps only whole <job>_<task> ids, whatever their number of digits', () => {
    const ids = [...parseSchedulerLines('1234_10|RUNNING|None\n1234_10.batch|RUNNING|None\nx1234_11|RUNNING|None\n1234_12x|RUNNING|None\n1234|RUNNING|None\n').keys()];
    assert.deepEqual(ids, ['1234_10']);
  });
});

describe('task status', () => {
  it('is completed, with nothing more to say, once the run finished, whatever Slurm says', () => {
    assert.deepEqual(taskStatus(record({ lastOutcome: 'finished' }), slurm('RUNNING')), { state: 'completed', detail: '' });
  });

  it('is running while Slurm runs it, even before the run wrote its first event, and counts restarts', () => {
    assert.deepEqual(taskStatus(record({}), slurm('RUNNING')), { state: 'running', detail: '' });
    assert.deepEqual(taskStatus(record({ attempts: 1, lastOutcome: 'started', heartbeatAge: 1 }), slurm('COMPLETING')), { state: 'running', detail: '' });
    assert.deepEqual(taskStatus(record({ attempts: 2, lastOutcome: 'started', heartbeatAge: 1 }), slurm('RUNNING')), { state: 'running', detail: 'attempt 2' });
  });

  it('shows why a task waits, but not Slurm\'s "None"', () => {
    assert.deepEqual(taskStatus(record({}), slurm('PENDING', 'Priority')), { state: 'pending', detail: 'Priority' });
    assert.deepEqual(taskStatus(record({}), slurm('PENDING', 'None')), { state: 'pending', detail: '' });
    assert.deepEqual(taskStatus(record({ attempts: 1, lastOutcome: 'stopped' }), slurm('REQUEUED', 'None')), { state: 'requeued', detail: '' });
  });

  it('is cancelled, resumable only when the trainer stopped with a checkpoint', () => {
    assert.deepEqual(taskStatus(record({ cancelled: true }), undefined), { state: 'cancelled', detail: '' });
    assert.deepEqual(taskStatus(record({ lastOutcome: 'started' }), slurm('CANCELLED')), { state: 'cancelled', detail: '' });
    assert.deepEqual(taskStatus(record({ lastOutcome: 'stopped' }), slurm('CANCELLED')), { state: 'cancelled', detail: 'resumable' });
  });

  it('is failed when the run says so, or with Slurm\'s reason when the run cannot', () => {
    assert.deepEqual(taskStatus(record({ lastOutcome: 'failed' }), slurm('COMPLETED')), { state: 'failed', detail: '' });
    assert.deepEqual(taskStatus(record({ attempts: 1 }), slurm('OUT_OF_MEMORY')), { state: 'failed', detail: 'out_of_memory' });
    assert.deepEqual(taskStatus(record({ attempts: 1, lastOutcome: 'started', heartbeatAge: 1 }), slurm('NODE_FAIL')), { state: 'failed', detail: 'node_fail' });
  });

  it('is stopped and resumable when the trainer stopped and Slurm no longer holds it', () => {
    assert.deepEqual(taskStatus(record({ attempts: 1, lastOutcome: 'stopped' }), undefined), { state: 'stopped', detail: 'resumable' });
  });

  it('is stopped and resumable, with Slurm\'s reason, when a time limit or pre-emption ended it after its checkpoint', () => {
    assert.deepEqual(taskStatus(record({ attempts: 1, lastOutcome: 'stopped' }), slurm('TIMEOUT')), { state: 'stopped', detail: 'timeout, resumable' });
    assert.deepEqual(taskStatus(record({ attempts: 1, lastOutcome: 'stopped' }), slurm('PREEMPTED')), { state: 'stopped', detail: 'preempted, resumable' });
    assert.deepEqual(taskStatus(record({ attempts: 1, lastOutcome: 'started' }), slurm('TIMEOUT')), { state: 'failed', detail: 'timeout' });
  });

  it('outside the queue, a started run is running only while its heartbeat is fresh', () => {
    assert.deepEqual(taskStatus(record({ lastOutcome: 'started', heartbeatAge: 5 }), undefined), { state: 'running', detail: 'outside Slurm' });
    // Resumed by hand after Slurm's own job ended.
    assert.deepEqual(taskStatus(record({ lastOutcome: 'started', heartbeatAge: 5 }), slurm('COMPLETED')), { state: 'running', detail: '' });
    assert.equal(taskStatus(record({ lastOutcome: 'started', heartbeatAge: HEARTBEAT_STALE_SECONDS - 0.5 }), undefined).state, 'running');
    assert.deepEqual(taskStatus(record({ lastOutcome: 'started', heartbeatAge: HEARTBEAT_STALE_SECONDS }), undefined), { state: 'failed', detail: `no heartbeat for ${HEARTBEAT_STALE_SECONDS} s` });
    assert.deepEqual(taskStatus(record({ lastOutcome: 'started', heartbeatAge: null }), undefined), { state: 'failed', detail: 'no heartbeat' });
  });

  it('is failed when Slurm finished the job but the run never started, and unknown when neither knows it', () => {
    assert.deepEqual(taskStatus(record({ attempts: 1 }), slurm('COMPLETED')), { state: 'failed', detail: 'the job ended without a result' });
    assert.deepEqual(taskStatus(record({}), undefined), { state: 'unknown', detail: 'not in the queue and never started' });
  });
});
