// hls.js ships types for its full build only; its light build (no subtitles, alternate audio or
// DRM, which recordings do not use) has the same API.
declare module 'hls.js/light' {
  export { default } from 'hls.js';
}
