// The app's entry, as a trtc-calling-js app imports it: only the package name is aliased.
import TRTCCalling from 'trtc-calling-js';
import './calling-page.js';

window.startApp(TRTCCalling);
