import assert from 'node:assert/strict';
import { ReplyChannel } from '../../../bench/lib/reply-channel';

type Reply = { ok: true; value: number } | { ok: false; reason: string };
const channel = (): ReplyChannel<Reply> => new ReplyChannel<Reply>('test process', (reason) => ({ ok: false, reason }));

describe('bench ReplyChannel: one request at a time to a long-lived process', () => {
  it('sends the request and resolves with the next answer', async () => {
    const c = channel();
    const sent: string[] = [];
    const answer = c.ask(() => sent.push('round'));
    assert.deepEqual(sent, ['round']);
    c.deliver({ ok: true, value: 7 });
    assert.deepEqual(await answer, { ok: true, value: 7 });
  });

  it('waits for a message the process sends by itself when nothing is sent', async () => {
    const c = channel();
    const first = c.ask();
    c.deliver({ ok: true, value: 1 });
    assert.deepEqual(await first, { ok: true, value: 1 });
  });

  it('drops an answer nobody waits for, so it never reaches the next request', async () => {
    const c = channel();
    c.deliver({ ok: true, value: 1 });
    const answer = c.ask(() => undefined);
    c.deliver({ ok: true, value: 2 });
    assert.deepEqual(await answer, { ok: true, value: 2 });
  });

  it('refuses a second request while one waits', () => {
    const c = channel();
    void c.ask(() => undefined);
    assert.throws(() => c.ask(() => undefined), /test process: a request is already waiting/);
  });

  it('after the process ended, fails the waiting request and every later one with the first reason, sending nothing', async () => {
    const c = channel();
    const waiting = c.ask(() => undefined);
    c.end('exit code 1');
    c.end('a later reason');
    assert.deepEqual(await waiting, { ok: false, reason: 'exit code 1' });
    assert.equal(c.open, false);
    let sent = false;
    assert.deepEqual(await c.ask(() => (sent = true)), { ok: false, reason: 'exit code 1' });
    assert.equal(sent, false);
  });
});
