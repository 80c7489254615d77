// Type declarations for the OpenCalling TRTCCalling SDK: a drop-in for trtc-calling-js 1.x.

export interface TRTCCallingOptions {
  /** The application's SDKAppID (0 constructs; login then fails with NO_SDK_APPID). */
  SDKAppID: number;
  /** The app's own TIM instance: kept as `tim` (signaling here is the cluster's own). */
  tim?: unknown;
  /** Where signaling is: an origin (https://calls.example.com) or a ws(s):// URL; default this page's origin. */
  server?: string;
  /** 'relay' forces media through the cluster's TURN relay. */
  iceTransportPolicy?: RTCIceTransportPolicy;
  /** The video codec to prefer: 'VP8' or 'H264'; default the browser's own order. */
  videoCodec?: 'VP8' | 'H264';
}

export type CallType = 0 | 1 | 2;
export type CallStatus = 'idle' | 'calling' | 'connected';
export type VideoProfileName = '240p' | '360p' | '480p' | '720p' | '1080p';
export interface VideoProfile { width: number; height: number; frameRate?: number; bitrate?: number }

export interface DeviceInfo { deviceId: string; groupId: string; label: string; kind: MediaDeviceKind }

/** A call record shaped like trtc-calling-js's signaling message (a TIMCustomElem). */
export interface CallingMessage {
  ID: string;
  type: 'TIMCustomElem';
  conversationType: 'C2C' | 'GROUP';
  conversationID: string;
  from: string;
  to: string;
  flow: 'out';
  time: number;
  payload: { data: string; description: string; extension: string };
}

export interface InvitedPayload {
  sponsor: string;
  userIDList: string[];
  isFromGroup: boolean;
  inviteID: string;
  inviteData: { version: number; callType: CallType; callEnd: number; roomID: number };
}
export interface UserPayload { userID: string }
export interface LineBusyPayload { sponsor: string; userID: string }
export interface NoRespPayload { sponsor: string; userIDList: string[] }
export interface CancelPayload { inviteID?: string; invitee?: string }
export interface TimeoutPayload { sponsor: string; userIDList: string[]; inviteID?: string }
/** userID: the call's inviter; callEnd: seconds since it was answered (0 if never). */
export interface EndPayload { userID: string; callEnd: number; inviteID?: string; reason?: string }
export interface VideoAvailablePayload { userID: string; isVideoAvailable: boolean }
export interface AudioAvailablePayload { userID: string; isAudioAvailable: boolean }
export interface VoiceVolumePayload { volumeMap: { userId: string; audioVolume: number }[] }
export interface InviteeListPayload { userIDList: string[] }
export interface CallTypeChangedPayload { oldCallType: CallType; newCallType: CallType }
/** code: the real package's (2000-2805, 60001-60006) or ours (61001-61010); reason: the cluster's word for ours. */
export interface ErrorPayload { code: number; msg: string; message: string; reason?: string }

export interface EventPayloads {
  onError: ErrorPayload;
  sdkReady: Record<string, never>;
  onInvited: InvitedPayload;
  onUserAccept: UserPayload;
  onUserEnter: UserPayload;
  onUserLeave: UserPayload;
  onReject: UserPayload;
  onNoResp: NoRespPayload;
  onLineBusy: LineBusyPayload;
  onCallingCancel: CancelPayload;
  onKickedOut: Record<string, never>;
  onCallingTimeout: TimeoutPayload;
  onCallEnd: EndPayload;
  onUserVideoAvailable: VideoAvailablePayload;
  onUserAudioAvailable: AudioAvailablePayload;
  onUserVoiceVolume: VoiceVolumePayload;
  onGroupCallInviteeListUpdate: InviteeListPayload;
  onCallTypeChanged: CallTypeChangedPayload;
}
export type EventName = keyof EventPayloads;

export declare const EVENT: {
  readonly ERROR: 'onError';
  readonly SDK_READY: 'sdkReady';
  readonly INVITED: 'onInvited';
  readonly USER_ACCEPT: 'onUserAccept';
  readonly USER_ENTER: 'onUserEnter';
  readonly USER_LEAVE: 'onUserLeave';
  readonly REJECT: 'onReject';
  readonly NO_RESP: 'onNoResp';
  readonly LINE_BUSY: 'onLineBusy';
  readonly CALLING_CANCEL: 'onCallingCancel';
  readonly KICKED_OUT: 'onKickedOut';
  readonly CALLING_TIMEOUT: 'onCallingTimeout';
  readonly CALL_END: 'onCallEnd';
  readonly CALLING_END: 'onCallEnd';
  readonly USER_VIDEO_AVAILABLE: 'onUserVideoAvailable';
  readonly USER_AUDIO_AVAILABLE: 'onUserAudioAvailable';
  readonly USER_VOICE_VOLUME: 'onUserVoiceVolume';
  readonly GROUP_CALL_INVITEE_LIST_UPDATE: 'onGroupCallInviteeListUpdate';
  /** Ours: the call switched between audio and video. */
  readonly CALL_TYPE_CHANGED: 'onCallTypeChanged';
};

export declare const CALL_TYPE: {
  readonly UNKNOWN: 0;
  readonly AUDIO_CALL: 1;
  readonly VIDEO_CALL: 2;
  readonly 0: 'UNKNOWN';
  readonly 1: 'AUDIO_CALL';
  readonly 2: 'VIDEO_CALL';
};

export declare const CALL_STATUS: { readonly IDLE: 'idle'; readonly CALLING: 'calling'; readonly CONNECTED: 'connected' };

export declare const LOG_LEVEL: { readonly TRACE: 0; readonly DEBUG: 1; readonly INFO: 2; readonly WARN: 3; readonly ERROR: 4; readonly NONE: 5 };

export declare const ERROR_CODE: {
  readonly NO_SDK_APPID: 2000;
  readonly NO_IDENTIFIER: 2002;
  readonly NO_USER_SIG: 2003;
  readonly USER_NOT_LOGGED_IN: 2024;
  readonly NO_NETWORK: 2805;
  readonly FAILURE_SWITCH_TO_AUDIO: 60001;
  readonly FAILURE_SWITCH_TO_VIDEO: 60002;
  readonly NOT_MICROPHONE_LIST: 60003;
  readonly NOT_CAMERA_LIST: 60004;
  readonly NOT_MEDIA_ACCESS: 60005;
  readonly NOT_SUPPORT: 60006;
  readonly UNKNOWN: 65535;
  readonly ORIGIN_NOT_ALLOWED: 61001;
  readonly LOGIN_REFUSED: 61002;
  readonly SESSION_ENDED: 61003;
  readonly CALL_REFUSED: 61004;
  readonly SIGNALING_TIMEOUT: 61005;
  readonly SFU_UNAVAILABLE: 61006;
  readonly SFU_REFUSED: 61007;
  readonly INVALID_PARAMS: 61008;
  readonly NOT_IN_CALL: 61009;
  readonly SFU_MEDIA_FAILED: 61010;
};

export interface Result { code: number; data: { message: CallingMessage } }
export interface CallResult extends Result { inviteID: string; roomID: number; userID: string }
export interface GroupCallResult extends Result { inviteID: string; roomID: number; groupID: string }
/** groupCall without a groupID: one result per invitee. */
export interface GroupCallEachResult { code: number; data: CallResult[] }
export interface AcceptResult extends Result { inviteID: string; roomID: number; callType: CallType }

export default class TRTCCalling {
  static readonly EVENT: typeof EVENT;
  static readonly CALL_TYPE: typeof CALL_TYPE;
  static readonly CALL_STATUS: typeof CALL_STATUS;
  static readonly ERROR_CODE: typeof ERROR_CODE;
  static readonly LOG_LEVEL: typeof LOG_LEVEL;
  static readonly VIDEO_PROFILES: Readonly<Record<VideoProfileName, VideoProfile>>;
  static readonly VERSION: string;

  constructor(options: TRTCCallingOptions);
  /** The app's own TIM instance, if it gave one. */
  tim: unknown;

  setLogLevel(level: number): void;
  on<E extends EventName>(eventName: E, handler: (payload: EventPayloads[E]) => void, context?: unknown): void;
  on(eventName: string, handler: (payload: any) => void, context?: unknown): void;
  off(eventName: string, handler?: (payload: any) => void, context?: unknown): void;

  login(params: { userID: string; userSig: string }): Promise<{ code: number; data: { repeatLogin: boolean } }>;
  logout(): Promise<{ code: number; data: Record<string, never> }>;

  call(params: { userID: string; type: CallType; timeout?: number }): Promise<CallResult | undefined>;
  groupCall(params: { userIDList: string[]; type: CallType; groupID?: string; timeout?: number }): Promise<GroupCallResult | GroupCallEachResult | undefined>;
  accept(params?: { inviteID?: string; roomID?: number; callType?: CallType }): Promise<AcceptResult | undefined>;
  reject(params?: { inviteID?: string; isBusy?: boolean; callType?: CallType }): Promise<Result | undefined>;
  hangup(): Promise<{ code: number; msg: string } | Result[]>;

  startRemoteView(params: { userID: string; videoViewDomID: string }): Promise<void>;
  stopRemoteView(params: { userID: string }): Promise<void>;
  startLocalView(params: { userID: string; videoViewDomID: string }): Promise<void>;
  stopLocalView(params?: { userID?: string }): Promise<void>;
  openCamera(): Promise<void>;
  closeCamera(): Promise<void>;
  setMicMute(isMute: boolean): Promise<void>;
  setVideoQuality(profile: VideoProfileName | VideoProfile): Promise<VideoProfileName | VideoProfile>;
  getVideoQuality(): VideoProfileName | VideoProfile;
  switchToAudioCall(): Promise<void>;
  switchToVideoCall(): Promise<void>;
  getCameras(): Promise<DeviceInfo[]>;
  getMicrophones(): Promise<DeviceInfo[]>;
  switchDevice(params: { deviceType: 'video' | 'audio'; deviceId: string }): Promise<void>;

  getCallStatus(): CallStatus;
  isGroupCall(): boolean;
  isInviter(): boolean;
  getInviteeList(): string[];
  getUnHandledInviteeList(): string[];
  getGroupID(): string;
  getUserID(): string;
  getCallType(): CallType;
  getRemoteStreamCount(): number;
  hasRemoteConnectedUsers(): boolean;
  getInviterID(): string;
  getInviterInviteID(): string[];
  getSwitchCallModeStatus(): boolean;
  /** What a call message (a TIMCustomElem of trtc-calling-js's signaling) says, as the real package words it; '' otherwise. */
  extractCallingInfoFromMessage(message: unknown): string;
}

export { TRTCCalling };
