// Type declarations for the OpenCalling TRTCCalling SDK (a drop-in for trtc-calling-js).

export interface TRTCCallingOptions {
  /** The application's SDKAppID. */
  SDKAppID: number;
  /** Accepted for compatibility with the seed; not needed (signaling is the cluster's own). */
  tim?: unknown;
  /** Where signaling is: an origin (https://calls.example.com) or a ws(s):// URL; default this page's origin. */
  server?: string;
  /** 'relay' forces media through the cluster's TURN relay. */
  iceTransportPolicy?: RTCIceTransportPolicy;
  /**
   * The video codec to prefer: 'VP8' or 'H264'. A call through the SFU uses one codec for
   * everyone, its first member's choice; a peer-to-peer call offers it first. Default: the
   * browser's own order (VP8 first in Chrome and Firefox, H.264 in Safari).
   */
  videoCodec?: 'VP8' | 'H264';
}

export type CallType = 1 | 2;
export type VideoQuality = '480p' | '720p' | '1080p';

export interface DeviceInfo {
  deviceId: string;
  groupId: string;
  label: string;
  kind: MediaDeviceKind;
}

export interface InvitedPayload {
  sponsor: string;
  userIDList: string[];
  isFromGroup: boolean;
  inviteID: string;
  inviteData: { version: number; callType: CallType; roomID: number };
}

export interface UserPayload { userID: string }
export interface NoRespPayload { userID: string; userIDList: string[] }
export interface CancelPayload { inviteID: string; invitee: string }
export interface TimeoutPayload { inviteID: string }
export interface EndPayload { inviteID?: string; reason?: string; callEnd?: number }
export interface VideoAvailablePayload { userID: string; isVideoAvailable: boolean }
export interface AudioAvailablePayload { userID: string; isAudioAvailable: boolean }
export interface VoiceVolumePayload { volumeMap: { userId: string; audioVolume: number }[] }
export interface InviteeListPayload { userIDList: string[] }
export interface CallTypeChangedPayload { oldCallType: CallType; newCallType: CallType }
/** A device code (60001-60005), a signaling reason ('expired', 'already-in-call', ...), 'session-ended', or -1. */
export interface ErrorPayload { code: number | string; message: string }

export interface EventPayloads {
  SDK_READY: Record<string, never>;
  INVITED: InvitedPayload;
  USER_ACCEPT: UserPayload;
  USER_ENTER: UserPayload;
  USER_LEAVE: UserPayload;
  REJECT: UserPayload;
  LINE_BUSY: UserPayload;
  NO_RESP: NoRespPayload;
  CALLING_CANCEL: CancelPayload;
  CALLING_TIMEOUT: TimeoutPayload;
  CALLING_END: EndPayload;
  CALL_END: EndPayload;
  KICKED_OUT: Record<string, never>;
  USER_VIDEO_AVAILABLE: VideoAvailablePayload;
  USER_AUDIO_AVAILABLE: AudioAvailablePayload;
  USER_VOICE_VOLUME: VoiceVolumePayload;
  GROUP_CALL_INVITEE_LIST_UPDATE: InviteeListPayload;
  CALL_TYPE_CHANGED: CallTypeChangedPayload;
  ERROR: ErrorPayload;
}

export type EventName = keyof EventPayloads;

export declare const EVENT: { readonly [K in EventName]: K extends 'CALL_END' ? 'CALLING_END' : K };
export declare const CALL_TYPE: { readonly AUDIO_CALL: 1; readonly VIDEO_CALL: 2 };
export declare const ERROR_CODE: {
  readonly DEVICE_NOT_FOUND: 60001;
  readonly DEVICE_PERMISSION_DENIED: 60002;
  readonly DEVICE_IN_USE: 60003;
  readonly DEVICE_NOT_SUPPORTED: 60004;
  readonly DEVICE_UNKNOWN_ERROR: 60005;
};

export default class TRTCCalling {
  static readonly EVENT: typeof EVENT;
  static readonly CALL_TYPE: typeof CALL_TYPE;
  static readonly ERROR_CODE: typeof ERROR_CODE;
  static readonly LOG_LEVEL: { TRACE: 0; DEBUG: 1; INFO: 2; WARN: 3; ERROR: 4; NONE: 5 };
  static readonly VERSION: string;

  constructor(options: TRTCCallingOptions);

  setLogLevel(level: number): void;
  on<E extends EventName>(eventName: E | string, handler: (payload: EventPayloads[E]) => void, context?: unknown): void;
  off<E extends EventName>(eventName: E | string, handler?: (payload: EventPayloads[E]) => void, context?: unknown): void;

  login(params: { userID: string; userSig: string }): Promise<void>;
  logout(): Promise<void>;

  call(params: { userID: string; type: CallType; timeout?: number }): Promise<{ inviteID: string } | void>;
  groupCall(params: { userIDList: string[]; type: CallType; groupID?: string; timeout?: number }): Promise<{ inviteID: string } | void>;
  accept(params?: { inviteID?: string; roomID?: number; callType?: CallType }): Promise<void>;
  reject(params?: { inviteID?: string; isBusy?: boolean; callType?: CallType }): Promise<void>;
  hangup(): Promise<void>;

  openCamera(): Promise<void>;
  closeCamera(): Promise<void>;
  setMicMute(isMute: boolean): Promise<void>;
  startLocalView(params: { userID: string; videoViewDomID: string }): Promise<void>;
  stopLocalView(params?: { userID?: string; videoViewDomID?: string }): Promise<void>;
  startRemoteView(params: { userID: string; videoViewDomID: string }): Promise<void>;
  stopRemoteView(params: { userID: string; videoViewDomID?: string }): Promise<void>;
  setVideoQuality(profile: VideoQuality): Promise<void>;
  switchToAudioCall(): Promise<void>;
  switchToVideoCall(): Promise<void>;
  getCameras(): Promise<DeviceInfo[]>;
  getMicrophones(): Promise<DeviceInfo[]>;
  switchDevice(params: { deviceType: 'video' | 'audio'; deviceId: string }): Promise<void>;
}

export { TRTCCalling };
