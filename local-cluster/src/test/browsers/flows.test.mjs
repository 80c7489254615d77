// The seed's call flows in the demo, in Firefox: a call rejected, cancelled, unanswered, and a user
// signed out when the same user logs in elsewhere (the kick).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { browsers, call, hidden, notice, press, visible } from './harness.mjs';

const run = browsers({ withChromium: false });

test('rejected, cancelled and unanswered calls are shown in Firefox', async () => {
  const carol = await run.pages.loggedIn(run.ff, 'ff-carol', '?timeout=5');
  const dave = await run.pages.loggedIn(run.ff, 'ff-dave');

  await call(carol, 'ff-dave', true);
  await visible(dave, '#incoming');
  await press(dave, '#reject-btn');
  await notice(carol, 'declined');
  await visible(carol, '#screen-home');

  await call(carol, 'ff-dave', false);
  await visible(dave, '#incoming');
  assert.match(await dave.$eval('#incoming-sub', (e) => e.textContent), /Audio call/);
  await visible(carol, '#screen-calling');
  await press(carol, '#cancel-btn');
  await hidden(dave, '#incoming');
  await notice(dave, 'cancelled');

  await call(carol, 'ff-dave', true); // rings for 5 s (?timeout=5)
  await visible(dave, '#incoming');
  await notice(carol, 'No answer');
  await visible(carol, '#screen-home');
  await hidden(dave, '#incoming');
  await notice(dave, 'Missed');
});

test('the same user logging in elsewhere signs the first Firefox page out', async () => {
  const first = await run.pages.loggedIn(run.ff, 'ff-judy');
  const second = await run.pages.loggedIn(run.ff, 'ff-judy');
  await visible(first, '#screen-login');
  await notice(first, 'logged in somewhere else');
  assert.ok(await second.$eval('#screen-home', (e) => !e.hidden));
});
