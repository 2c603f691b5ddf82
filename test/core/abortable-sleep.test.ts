import { test } from 'node:test';
import assert from 'node:assert/strict';
import { getEventListeners } from 'node:events';
import { abortableSleep } from '../../core/abortable-sleep.js';
import { mockClock } from '../helpers/clock.js';

test('a sleep that runs out removes its abort listener, so a thousand sleeps on one signal leave none', async (t) => {
  const clock = mockClock(t, ['setTimeout']);
  const controller = new AbortController();
  for (let i = 0; i < 1000; i++) {
    const slept = abortableSleep(250, controller.signal);
    assert.equal(getEventListeners(controller.signal, 'abort').length, 1, 'listening while it waits');
    clock.tick(250);
    await slept;
    assert.equal(getEventListeners(controller.signal, 'abort').length, 0, `after sleep ${i + 1}`);
  }
});

test('an abort ends the sleep at once with the signal\'s reason, and removes the listener', async (t) => {
  mockClock(t, ['setTimeout']);
  const controller = new AbortController();
  const slept = abortableSleep(60_000, controller.signal);
  const reason = new Error('stopping');
  controller.abort(reason);
  await assert.rejects(slept, (error) => error === reason);
  assert.equal(getEventListeners(controller.signal, 'abort').length, 0);
  await assert.rejects(abortableSleep(10, controller.signal), (error) => error === reason, 'an aborted signal rejects at once');
});
