// Custos minimal operator page: sign-in (password, second factors, passkeys, SSO, first-run
// setup), then the camera list with status, a live tile per camera (fMP4 over a WebSocket into
// Media Source Extensions), recent playback (HLS via hls.js) and exports.
// Plain browser ES modules, no build step; every module MUST be in the fixed file list of
// src/http/web.routes.ts. The page's CSP forbids inline scripts and styles: presentation MUST
// go through classes in style.css, never style attributes.
//
// Modules: auth.js (sign-in views and flow) with webauthn.js (passkeys); cameras.js (camera
// cards) with live-player.js (live tile) and recordings.js (playback, exports); api.js (fetch,
// CSRF token, problem+json); dom.js and format.js (text into the page).

import { startSignIn } from './auth.js';
import { startCameras, stopCameras } from './cameras.js';

startSignIn({ show: startCameras, hide: stopCameras });
