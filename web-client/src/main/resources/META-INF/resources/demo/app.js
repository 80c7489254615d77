// The demo: the seed's flow on the SDK's public API only (log in, call, answer, talk, hang up).
import TRTCCalling from '/sdk/trtc-calling.js';

const $ = (id) => document.getElementById(id);
const EVENT = TRTCCalling.EVENT;
const params = new URLSearchParams(location.search);
// How long a call rings (?timeout=10 shortens it), ?relay=1 sends media through the TURN relay only,
// and ?codec=h264 (or vp8) prefers that video codec.
const ringSeconds = Math.min(300, Math.max(1, Number(params.get('timeout')) || 30));

let calling = null;
let me = null;
let inCallWith = [];
let timer = null;
let startedAt = 0;
let noticeTimer = null;

function show(screen) {
  for (const id of ['screen-login', 'screen-home', 'screen-calling', 'screen-call']) $(id).hidden = id !== screen;
}

function notice(text, kind = 'info') {
  const n = $('notice');
  n.textContent = text;
  n.className = `notice ${kind}`;
  n.hidden = false;
  clearTimeout(noticeTimer);
  noticeTimer = setTimeout(() => { n.hidden = true; }, 4500);
}

function initials(name) {
  return (name || '?').slice(0, 1);
}

async function config() {
  const res = await fetch('/demo/config.json');
  if (!res.ok) throw new Error('the demo configuration is unavailable');
  return res.json();
}

async function userSig(sdkAppId, userId) {
  // Demo mode: usersig-service issues UserSigs to anyone. In production your backend does this.
  const res = await fetch('/v1/usersig', {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ sdkAppId, userId }),
  });
  const body = await res.json().catch(() => ({}));
  if (!res.ok) throw new Error(body.message || `no UserSig (${res.status})`);
  return body.userSig;
}

// ---- log in / out --------------------------------------------------------------------------

$('login-form').addEventListener('submit', async (e) => {
  e.preventDefault();
  const userId = $('userId').value.trim();
  if (!userId) return;
  $('login-btn').disabled = true;
  try {
    const { sdkAppId } = await config();
    const options = { SDKAppID: sdkAppId };
    if (params.get('relay') === '1') options.iceTransportPolicy = 'relay';
    if (params.get('codec')) options.videoCodec = params.get('codec').toUpperCase();
    calling = new TRTCCalling(options);
    window.trtcCalling = calling; // for the console (and the browser tests)
    listen(calling);
    await calling.login({ userID: userId, userSig: await userSig(sdkAppId, userId) });
    me = userId;
    $('who-name').textContent = userId;
    $('who').hidden = false;
    show('screen-home');
    $('callee').focus();
  } catch (err) {
    notice(`Could not log in: ${err.msg || err.message}`, 'bad');
  } finally {
    $('login-btn').disabled = false;
  }
});

$('logout-btn').addEventListener('click', async () => {
  if (calling) await calling.logout();
  loggedOut();
});

function loggedOut() {
  calling = null;
  me = null;
  $('who').hidden = true;
  $('incoming').hidden = true;
  leaveCallView();
  show('screen-login');
}

// ---- place a call --------------------------------------------------------------------------

function callType() {
  return $('type-audio').checked ? TRTCCalling.CALL_TYPE.AUDIO_CALL : TRTCCalling.CALL_TYPE.VIDEO_CALL;
}

$('call-form').addEventListener('submit', async (e) => {
  e.preventDefault();
  const callees = $('callee').value.split(/[\s,;]+/).map((s) => s.trim()).filter(Boolean);
  if (!callees.length) return;
  if (callees.includes(me)) {
    notice('You cannot call yourself', 'bad');
    return;
  }
  $('call-btn').disabled = true;
  $('calling-avatar').textContent = initials(callees[0]);
  $('calling-title').textContent = `Calling ${callees.join(', ')}…`;
  $('calling-sub').textContent = callType() === 1 ? 'Audio call' : 'Video call';
  show('screen-calling');
  inCallWith = [];
  try {
    if (callees.length === 1) {
      await calling.call({ userID: callees[0], type: callType(), timeout: ringSeconds });
    } else {
      await calling.groupCall({ userIDList: callees, type: callType(), timeout: ringSeconds });
    }
  } catch (err) {
    show('screen-home');
    notice(err.code >= 60003 && err.code <= 60006 ? `Camera or microphone: ${err.msg}` : `The call failed: ${err.msg}`, 'bad');
  } finally {
    $('call-btn').disabled = false;
  }
});

$('cancel-btn').addEventListener('click', async () => {
  await calling.hangup();
  show('screen-home');
  notice('Call cancelled');
});

// ---- answer --------------------------------------------------------------------------------

let ringingType = 2;

$('accept-btn').addEventListener('click', async () => {
  $('incoming').hidden = true;
  try {
    const res = await calling.accept();
    if (!res || res.code !== 0) return; // the call went away meanwhile (its event says why)
    enterCallView(ringingType);
  } catch (err) {
    await calling.reject().catch(() => {}); // do not leave the caller ringing
    show('screen-home');
    notice(`Could not answer: ${err.msg}`, 'bad');
  }
});

$('reject-btn').addEventListener('click', async () => {
  $('incoming').hidden = true;
  await calling.reject();
});

// ---- in a call -----------------------------------------------------------------------------

let currentType = 2;

function enterCallView(type) {
  currentType = type;
  show('screen-call');
  $('tile-local').classList.toggle('camera-off', type === 1);
  $('camera-btn').setAttribute('aria-pressed', String(type === 1));
  $('mic-btn').setAttribute('aria-pressed', 'false');
  calling.startLocalView({ userID: me, videoViewDomID: 'view-local' });
  if (!inCallWith.length) startedAt = 0; // (a callee already has the caller: its clock runs)
  tick();
  clearInterval(timer);
  timer = setInterval(tick, 500);
  renderPeers();
}

function tick() {
  if (!startedAt) {
    $('timer').textContent = '00:00';
    return;
  }
  const s = Math.floor((Date.now() - startedAt) / 1000);
  const hh = Math.floor(s / 3600);
  const mm = String(Math.floor(s / 60) % 60).padStart(2, '0');
  const ss = String(s % 60).padStart(2, '0');
  $('timer').textContent = hh ? `${hh}:${mm}:${ss}` : `${mm}:${ss}`;
}

function tileOf(userId) {
  let tile = document.querySelector(`.tile[data-user-id="${CSS.escape(userId)}"]`);
  if (tile) return tile;
  tile = document.createElement('div');
  tile.className = 'tile waiting';
  tile.dataset.userId = userId;
  const view = document.createElement('div');
  view.className = 'view';
  view.id = `view-${userId}`;
  const off = document.createElement('div');
  off.className = 'off-note';
  off.innerHTML = `<span class="avatar big"></span><span class="off-text">Connecting…</span>`;
  off.querySelector('.avatar').textContent = initials(userId);
  const name = document.createElement('span');
  name.className = 'name';
  name.textContent = userId;
  const mic = document.createElement('span');
  mic.className = 'muted-mic';
  mic.textContent = 'Muted';
  tile.append(view, off, name, mic);
  $('tiles').appendChild(tile);
  return tile;
}

function renderPeers() {
  $('call-peers').textContent = inCallWith.length ? `With ${inCallWith.join(', ')}` : 'Connecting…';
}

function leaveCallView() {
  clearInterval(timer);
  timer = null;
  $('tiles').innerHTML = '';
  inCallWith = [];
}

$('hangup-btn').addEventListener('click', async () => {
  await calling.hangup();
  leaveCallView();
  show('screen-home');
  notice('Call ended');
});

$('mic-btn').addEventListener('click', async () => {
  const muted = $('mic-btn').getAttribute('aria-pressed') !== 'true';
  await calling.setMicMute(muted);
  $('mic-btn').setAttribute('aria-pressed', String(muted));
  $('mic-btn').setAttribute('aria-label', muted ? 'Unmute microphone' : 'Mute microphone');
});

$('camera-btn').addEventListener('click', async () => {
  const turnOff = $('camera-btn').getAttribute('aria-pressed') !== 'true';
  try {
    if (turnOff) await calling.closeCamera();
    else await calling.openCamera();
  } catch (err) {
    notice(`Camera: ${err.msg || err.message}`, 'bad');
    return;
  }
  $('camera-btn').setAttribute('aria-pressed', String(turnOff));
  $('camera-btn').setAttribute('aria-label', turnOff ? 'Turn camera on' : 'Turn camera off');
  $('tile-local').classList.toggle('camera-off', turnOff);
  if (!turnOff) calling.startLocalView({ userID: me, videoViewDomID: 'view-local' });
});

// ---- the SDK's events ----------------------------------------------------------------------

function backHome(text, kind = 'info') {
  $('incoming').hidden = true;
  leaveCallView();
  if (calling) show('screen-home');
  if (text) notice(text, kind);
}

function listen(c) {
  c.on(EVENT.INVITED, ({ sponsor, userIDList, isFromGroup, inviteData }) => {
    ringingType = inviteData.callType;
    $('incoming-avatar').textContent = initials(sponsor);
    $('incoming-title').textContent = `${sponsor} is calling`;
    const others = userIDList.filter((u) => u !== me);
    $('incoming-sub').textContent = `${inviteData.callType === 1 ? 'Audio' : 'Video'} call`
      + (isFromGroup && others.length ? ` with ${others.join(', ')}` : '');
    $('incoming').hidden = false;
  });
  c.on(EVENT.USER_ACCEPT, ({ userID }) => {
    if ($('screen-calling').hidden === false) enterCallView(callType());
  });
  c.on(EVENT.USER_ENTER, ({ userID }) => {
    if (!inCallWith.includes(userID)) inCallWith.push(userID);
    tileOf(userID);
    c.startRemoteView({ userID, videoViewDomID: `view-${userID}` });
    if (!startedAt) startedAt = Date.now();
    renderPeers();
  });
  c.on(EVENT.USER_VIDEO_AVAILABLE, ({ userID, isVideoAvailable }) => {
    if (!inCallWith.includes(userID)) return; // late news of someone who left
    const tile = tileOf(userID);
    tile.classList.remove('waiting');
    tile.classList.toggle('camera-off', !isVideoAvailable);
    tile.querySelector('.off-text').textContent = 'Camera off';
  });
  c.on(EVENT.USER_AUDIO_AVAILABLE, ({ userID, isAudioAvailable }) => {
    if (!inCallWith.includes(userID)) return;
    const tile = tileOf(userID);
    tile.classList.toggle('mic-off', !isAudioAvailable);
    if (tile.classList.contains('waiting') && currentType === 1) { // an audio call: no picture to wait for
      tile.classList.remove('waiting');
      tile.classList.add('camera-off');
      tile.querySelector('.off-text').textContent = 'Audio call';
    }
  });
  c.on(EVENT.USER_LEAVE, ({ userID }) => {
    inCallWith = inCallWith.filter((u) => u !== userID);
    const tile = document.querySelector(`.tile[data-user-id="${CSS.escape(userID)}"]`);
    if (tile) tile.remove();
    renderPeers();
    notice(`${userID} left the call`);
  });
  // A 1v1 call refused ends with this event alone (as in trtc-calling-js); in a group call the others go on.
  const refused = (text) => {
    if (c.isGroupCall()) notice(text, 'bad');
    else backHome(text, 'bad');
  };
  c.on(EVENT.REJECT, ({ userID }) => refused(`${userID} declined the call`));
  c.on(EVENT.LINE_BUSY, ({ userID }) => refused(`${userID} is busy`));
  c.on(EVENT.NO_RESP, ({ userIDList }) => notice(`No answer from ${userIDList.join(', ')}`, 'bad'));
  c.on(EVENT.CALLING_CANCEL, () => backHome('The caller cancelled the call'));
  c.on(EVENT.CALLING_TIMEOUT, () => backHome('Missed call', 'bad')); // (CALLING_END follows: the notice stays)
  c.on(EVENT.CALLING_END, () => {
    // A notice already explains a refusal or a missed answer; otherwise the call just ended.
    const explained = !$('notice').hidden && $('notice').classList.contains('bad');
    backHome(explained ? null : 'Call ended');
  });
  c.on(EVENT.KICKED_OUT, () => {
    loggedOut();
    notice('You were signed out: this user ID logged in somewhere else', 'bad');
  });
  c.on(EVENT.CALL_TYPE_CHANGED, ({ newCallType }) => {
    currentType = newCallType;
    $('tile-local').classList.toggle('camera-off', newCallType === 1);
    $('camera-btn').setAttribute('aria-pressed', String(newCallType === 1));
  });
  const CODE = TRTCCalling.ERROR_CODE;
  c.on(EVENT.ERROR, ({ code, msg, reason }) => {
    if (code === CODE.SESSION_ENDED) {
      loggedOut();
      notice('You were signed out; log in again', 'bad');
    } else if (reason === 'already-in-call') notice('You are already in a call', 'bad');
    else if (code >= CODE.NOT_MICROPHONE_LIST && code <= CODE.NOT_SUPPORT) notice(`Camera or microphone: ${msg}`, 'bad');
    else if (code === CODE.SFU_MEDIA_FAILED) notice('No media connection to the group call from this network', 'bad');
    else console.warn('TRTCCalling error', code, reason || '', msg);
  });
}

show('screen-login');
if (params.get('user')) $('userId').value = params.get('user');
