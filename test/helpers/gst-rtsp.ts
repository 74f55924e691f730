/**
 * GStreamer's RTSP server (gst-rtsp-server, through gst-rtsp-server.py) for interop tests: an
 * RTSP implementation we did not write, serving an MP4 file once per client. It runs with
 * Debian's /usr/bin/python3, the one with the GObject bindings (a python3 first on PATH, from
 * pyenv or a venv, usually lacks them). The packages are installed by `scripts/prereqs.sh test`.
 */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

/** Debian packages that provide the server, its bindings and the elements of its pipelines. */
export const gstPackages = ['gir1.2-gst-rtsp-server-1.0', 'python3-gst-1.0', 'gstreamer1.0-plugins-good', 'gstreamer1.0-plugins-bad'];

const script = fileURLToPath(new URL('./gst-rtsp-server.py', import.meta.url));
const python = '/usr/bin/python3';
const READY_TIMEOUT_MS = 15_000;
const KILL_GRACE_MS = 2_000;

/** A running server. */
export interface GstRtspServer {
  /** rtsp://127.0.0.1:<port>/clip: every client gets the file from its start, then an RTCP BYE. */
  readonly url: string;
  readonly port: number;
  /** What the server printed on stderr so far (GStreamer warnings), for failure messages. */
  stderr(): string;
  /** Stops the server (SIGTERM, SIGKILL after 2 s) and waits for it to exit; idempotent. */
  close(): Promise<void>;
}

/** The error when the server cannot start, naming the packages when the cause is a missing one. */
function startError(stderr: string, how: string): Error {
  const missing = /Namespace Gst\w* not available|No module named 'gi'|missing GStreamer elements|ENOENT/.test(stderr + how);
  const hint = missing ? `; install the Debian packages: apt-get install ${gstPackages.join(' ')} (scripts/prereqs.sh test does)` : '';
  return new Error(`GStreamer RTSP server did not start (${how})${hint}: ${stderr.trim().split('\n').slice(-3).join(' | ')}`);
}

/**
 * Starts the server on a free loopback port and resolves once it listens. `audio` also serves the
 * file's first audio track: `aac` (AAC in the file) or `pcmu` (G.711 mu-law in the file, a MOV).
 */
export async function startGstRtspServer(opts: { file: string; codec: 'h264' | 'h265'; port?: number; audio?: 'none' | 'aac' | 'pcmu' }): Promise<GstRtspServer> {
  // stdin stays a pipe we hold: the server exits when it closes, so it cannot outlive this process.
  const child = spawn(python, [script, String(opts.port ?? 0), opts.file, opts.codec, opts.audio ?? 'none'], { stdio: ['pipe', 'pipe', 'pipe'] });
  child.stdin.on('error', () => undefined); // EPIPE once the server has exited
  let stderr = '';
  let stdout = '';
  child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
  const exited = new Promise<string>((resolve) => {
    child.on('error', (e: NodeJS.ErrnoException) => resolve(`${python}: ${e.code ?? e.message}`));
    child.on('close', (code, sig) => resolve(`exited with ${code ?? sig}`));
  });
  const ready = new Promise<number>((resolve) => {
    child.stdout.setEncoding('utf8').on('data', (d: string) => {
      stdout += d;
      const m = /^ready (\d+)$/m.exec(stdout);
      if (m !== null) resolve(Number(m[1]));
    });
  });
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<string>((resolve) => {
    timer = setTimeout(() => resolve(`no "ready" within ${READY_TIMEOUT_MS / 1000} s`), READY_TIMEOUT_MS);
  });
  const first = await Promise.race([ready, exited, timeout]);
  clearTimeout(timer);
  let closing: Promise<void> | undefined;
  const close = (): Promise<void> => {
    closing ??= (async () => {
      if (child.exitCode === null && child.signalCode === null) {
        child.stdin.end();
        child.kill('SIGTERM');
        const kill = setTimeout(() => child.kill('SIGKILL'), KILL_GRACE_MS);
        await exited;
        clearTimeout(kill);
      }
    })();
    return closing;
  };
  if (typeof first === 'string') {
    await close();
    throw startError(stderr, first);
  }
  return { url: `rtsp://127.0.0.1:${first}/clip`, port: first, stderr: () => stderr, close };
}
