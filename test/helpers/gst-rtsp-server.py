"""A GStreamer RTSP server (gst-rtsp-server) for tests: an RTSP implementation we did not write.

Run with /usr/bin/python3 (Debian's, which has the GObject bindings):
    /usr/bin/python3 gst-rtsp-server.py PORT FILE CODEC [AUDIO]
PORT 0 picks a free port. FILE is an MP4 (or MOV) holding one H.264 or H.265 video track; CODEC is
h264 or h265. AUDIO (default none) also serves the file's first audio track: aac (AAC in the file,
sent as RFC 3640 mpeg4-generic AAC-hbr) or pcmu (G.711 mu-law in the file, e.g. a MOV made by
ffmpeg with pcm_mulaw at 8 kHz, sent as payload type 0). It is served at rtsp://127.0.0.1:<port>/clip, once per client from its start (not looped,
not shared): at the end of the file GStreamer sends an RTCP BYE, and keeps the connection open.

Prints "ready <port>" on stdout once listening; exits on SIGTERM or SIGINT, and when stdin
closes (so it never outlives the test that started it). Errors go to stderr: exit code 2 for
bad arguments or a port in use, 3 for missing GStreamer elements (plugins-good, plugins-bad).
"""
import os
import signal
import sys

import gi

gi.require_version("Gst", "1.0")
gi.require_version("GstRtspServer", "1.0")
from gi.repository import GLib, Gst, GstRtspServer  # noqa: E402

# qtdemux gives every sample its timestamp (raw Annex B has none). The parser hands the payloader
# AVC/HVC-framed samples, so the SDP carries the parameter sets (sprop-*); rtp*pay config-interval
# stays at its default (0): parameter sets are sent in-band only where the encoder put them.
PIPELINES = {
    "h264": "( filesrc location={f} ! qtdemux ! h264parse ! rtph264pay name=pay0 pt=96 )",
    "h265": "( filesrc location={f} ! qtdemux ! h265parse ! rtph265pay name=pay0 pt=96 )",
}
# The second track's branch, by AUDIO; the demuxer is named d when there is one.
AUDIO = {
    "none": ("", []),
    "aac": (" d.audio_0 ! queue ! aacparse ! rtpmp4gpay name=pay1 pt=97", ["aacparse", "rtpmp4gpay"]),
    "pcmu": (" d.audio_0 ! queue ! rtppcmupay name=pay1 pt=0", ["rtppcmupay"]),
}
# filesrc: coreelements; qtdemux, rtph26xpay: plugins-good; h26xparse: plugins-bad (videoparsersbad).
ELEMENTS = {
    "h264": ["filesrc", "qtdemux", "h264parse", "rtph264pay"],
    "h265": ["filesrc", "qtdemux", "h265parse", "rtph265pay"],
}


def main() -> int:
    if len(sys.argv) not in (4, 5) or sys.argv[3] not in PIPELINES or not sys.argv[1].isdigit() or (len(sys.argv) == 5 and sys.argv[4] not in AUDIO):
        print("usage: gst-rtsp-server.py PORT FILE h264|h265 [none|aac|pcmu]", file=sys.stderr)
        return 2
    port, path, codec = int(sys.argv[1]), sys.argv[2], sys.argv[3]
    audio_branch, audio_elements = AUDIO[sys.argv[4] if len(sys.argv) == 5 else "none"]
    Gst.init(None)
    # A missing plugin would only show when a client asks (a 503 to DESCRIBE): say so now.
    missing = [e for e in ELEMENTS[codec] + audio_elements if Gst.ElementFactory.find(e) is None]
    if missing:
        print(f"missing GStreamer elements: {' '.join(missing)}", file=sys.stderr)
        return 3

    factory = GstRtspServer.RTSPMediaFactory()
    # gst-launch syntax: the location is quoted so a temp path with spaces stays one value.
    launch = PIPELINES[codec].format(f='"' + path.replace('"', '\\"') + '"')
    if audio_branch:
        # Name the demuxer and queue the video branch, then add the audio branch inside the bin.
        launch = launch.replace("qtdemux !", "qtdemux name=d d.video_0 ! queue !").replace(" )", audio_branch + " )")
    factory.set_launch(launch)
    factory.set_shared(False)  # a new pipeline (the file from its start) for every client

    server = GstRtspServer.RTSPServer()
    server.set_address("127.0.0.1")
    server.set_service(str(port))
    server.get_mount_points().add_factory("/clip", factory)
    if server.attach(None) == 0:
        print(f"cannot listen on 127.0.0.1:{port}", file=sys.stderr)
        return 2

    loop = GLib.MainLoop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        GLib.unix_signal_add(GLib.PRIORITY_DEFAULT, sig, loop.quit)

    def on_stdin(fd: int, _condition: GLib.IOCondition) -> bool:
        if os.read(fd, 4096) == b"":  # end of file: the caller is gone
            loop.quit()
            return False
        return True

    GLib.io_add_watch(sys.stdin.fileno(), GLib.IO_IN | GLib.IO_HUP | GLib.IO_ERR, on_stdin)
    print(f"ready {server.get_bound_port()}", flush=True)
    loop.run()
    return 0


if __name__ == "__main__":
    sys.exit(main())
