/*
 * The public constants, with the values trtc-calling-js 1.x gives them: an app that listens by
 * string (calling.on('onInvited', ...)) or compares numbers gets what it expects.
 */

/** Event names, as the real package spells them. CALL_END is CALLING_END's older name. */
export const EVENT = Object.freeze({
  ERROR: 'onError',
  SDK_READY: 'sdkReady',
  INVITED: 'onInvited',
  USER_ACCEPT: 'onUserAccept',
  USER_ENTER: 'onUserEnter',
  USER_LEAVE: 'onUserLeave',
  REJECT: 'onReject',
  NO_RESP: 'onNoResp',
  LINE_BUSY: 'onLineBusy',
  CALLING_CANCEL: 'onCallingCancel',
  KICKED_OUT: 'onKickedOut',
  CALLING_TIMEOUT: 'onCallingTimeout',
  CALL_END: 'onCallEnd',
  CALLING_END: 'onCallEnd',
  USER_VIDEO_AVAILABLE: 'onUserVideoAvailable',
  USER_AUDIO_AVAILABLE: 'onUserAudioAvailable',
  USER_VOICE_VOLUME: 'onUserVoiceVolume',
  GROUP_CALL_INVITEE_LIST_UPDATE: 'onGroupCallInviteeListUpdate',
  // Ours (the real package has no such event): the call switched between audio and video.
  CALL_TYPE_CHANGED: 'onCallTypeChanged',
});

/**
 * The key names, which this SDK's earlier versions used as values: still heard, so an app
 * written against those keeps working (a real trtc-calling-js app never uses them).
 */
export const EVENT_ALIASES = Object.freeze(Object.fromEntries(Object.keys(EVENT).map((k) => [k, EVENT[k]])));

/** A TypeScript-style numeric enum, reverse map included, as the real package exports it. */
export const CALL_TYPE = Object.freeze({
  UNKNOWN: 0, AUDIO_CALL: 1, VIDEO_CALL: 2, 0: 'UNKNOWN', 1: 'AUDIO_CALL', 2: 'VIDEO_CALL',
});

/** What getCallStatus() answers. */
export const CALL_STATUS = Object.freeze({ IDLE: 'idle', CALLING: 'calling', CONNECTED: 'connected' });

export const LOG_LEVEL = Object.freeze({ TRACE: 0, DEBUG: 1, INFO: 2, WARN: 3, ERROR: 4, NONE: 5 });

/** setVideoQuality's named profiles (the real package's list); a {width, height, frameRate, bitrate} object works too. */
export const VIDEO_PROFILES = Object.freeze({
  '240p': Object.freeze({ width: 320, height: 240, frameRate: 15, bitrate: 200 }),
  '360p': Object.freeze({ width: 640, height: 360, frameRate: 15, bitrate: 400 }),
  '480p': Object.freeze({ width: 640, height: 480, frameRate: 15, bitrate: 500 }),
  '720p': Object.freeze({ width: 1280, height: 720, frameRate: 15, bitrate: 1000 }),
  '1080p': Object.freeze({ width: 1920, height: 1080, frameRate: 15, bitrate: 2000 }),
});

/**
 * Error codes. 2000-2805 and 60001-60006 are the real package's (same meaning); 61001 and up
 * are this SDK's own, for what only a self-hosted cluster can say (docs/sdk.md lists them).
 */
export const ERROR_CODE = Object.freeze({
  // The real package's table.
  NO_SDK_APPID: 2000,
  NO_IDENTIFIER: 2002,
  NO_USER_SIG: 2003,
  USER_NOT_LOGGED_IN: 2024,
  NO_NETWORK: 2805,
  FAILURE_SWITCH_TO_AUDIO: 60001,
  FAILURE_SWITCH_TO_VIDEO: 60002,
  NOT_MICROPHONE_LIST: 60003,
  NOT_CAMERA_LIST: 60004,
  NOT_MEDIA_ACCESS: 60005,
  NOT_SUPPORT: 60006,
  UNKNOWN: 65535,
  // Ours.
  ORIGIN_NOT_ALLOWED: 61001, // signaling refused this page's origin (ALLOWED_ORIGINS)
  LOGIN_REFUSED: 61002, // signaling refused the login: reason says why (expired, bad-signature, ...)
  SESSION_ENDED: 61003, // the session is over for good (not by logout): log in again
  CALL_REFUSED: 61004, // signaling refused a call request: reason says why (already-in-call, ...)
  SIGNALING_TIMEOUT: 61005, // signaling did not answer a request in time
  SFU_UNAVAILABLE: 61006, // no SFU node is up now (the SDK keeps trying)
  SFU_REFUSED: 61007, // the SFU cannot take this member: reason sfu-codec or sfu-full
  INVALID_PARAMS: 61008, // a method was called with missing or wrong parameters
  NOT_IN_CALL: 61009, // the method needs a call (or a ringing invitation) and there is none
  SFU_MEDIA_FAILED: 61010, // no media connection to the SFU could be made (ICE failed on every try); the SDK stopped trying
});
