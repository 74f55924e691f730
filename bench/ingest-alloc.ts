/**
 * Micro-benchmark of the native ingest's data path in one thread (issue 20 item 2): N loopback
 * TCP connections carry camsim's 1080p clip as RTSP interleaved RTP (the same packetization
 * camsim sends, 1400-byte FU-A), as fast as the receiver takes it; this thread runs what an
 * ingest worker runs per camera — RtspConnection (reader, byte queue) → parseRtpPacket →
 * H.264 depacketizer → Fmp4Writer (and the live chunker with `--live`) — and reports this
 * thread's CPU time and its garbage-collection pause time per camera-second of media.
 * The sender runs on a worker thread, so its CPU is not counted.
 *
 *   node bench/ingest-alloc.ts [--cameras 25] [--seconds 20] [--realtime] [--live] [--cache-dir /tmp/custos-bench-clips]
 *
 * `--realtime` paces each connection as camsim does (one write per frame, 25 fps), which is how
 * an ingest worker meets the data (small reads, mostly idle); without it the bytes go as fast as
 * the receiver takes them.
 *
 * Prints one JSON line. No RTSP handshake: the connection is read as interleaved frames only.
 */
import { once } from 'node:events';
import { Session } from 'node:inspector/promises';
import { createServer, type AddressInfo } from 'node:net';
import { PerformanceObserver } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { isMainThread, parentPort, Worker, workerData } from 'node:worker_threads';
import { ensureClip } from '../tools/camsim/clip.ts';
import { groupAccessUnits, splitNalUnits } from '../tools/camsim/h264-annexb.ts';
import { packetizeLoop, writeFrame } from '../tools/camsim/rtp-packetizer.ts';
import { readFile } from 'node:fs/promises';
import { connectRtsp } from '../src/ingest/native/rtsp/rtsp-connect.ts';
import { RtspConnection } from '../src/ingest/native/rtsp/rtsp-connection.ts';
import { parseRtpPacket } from '../src/ingest/native/rtp/rtp-packet.ts';
import { createH264Depacketizer } from '../src/ingest/native/rtp/h264-depacketizer.ts';
import { Fmp4Writer } from '../src/media/fmp4/fmp4-writer.ts';
import { LiveChunker } from '../src/media/fmp4/live-chunker.ts';

interface SenderData {
  readonly stream: SharedArrayBuffer;
  readonly length: number;
  readonly cameras: number;
  /** End offset of each frame in `stream`: with `realtime`, one frame per 40 ms per connection. */
  readonly frameEnds: Uint32Array;
  readonly realtime: boolean;
}

if (!isMainThread) {
  // The sender: one listening socket, the whole stream written to each of `cameras` connections.
  const { stream, length, cameras, frameEnds, realtime } = workerData as SenderData;
  const bytes = Buffer.from(stream, 0, length);
  let served = 0;
  const server = createServer((socket) => {
    socket.on('error', () => undefined);
    let at = 0;
    if (realtime) {
      // As camsim: one write per frame, 25 frames a second.
      let frame = 0;
      const started = performance.now();
      const tick = (): void => {
        const due = Math.min(frameEnds.length, Math.floor((performance.now() - started) / 40) + 1);
        for (; frame < due; frame += 1) {
          const end = frameEnds[frame] as number;
          socket.write(bytes.subarray(at, end));
          at = end;
        }
        if (frame >= frameEnds.length) socket.end();
        else setTimeout(tick, 40 - ((performance.now() - started) % 40));
      };
      tick();
      served += 1;
      if (served === cameras) server.close();
      return;
    }
    const step = 256 * 1024;
    const pump = (): void => {
      while (at < bytes.length) {
        const chunk = bytes.subarray(at, at + step);
        at += chunk.length;
        if (!socket.write(chunk)) return void socket.once('drain', pump);
      }
      socket.end();
    };
    pump();
    served += 1;
    if (served === cameras) server.close();
  });
  server.listen(0, '127.0.0.1', () => parentPort?.postMessage((server.address() as AddressInfo).port));
} else {
  const { values } = parseArgs({ options: { cameras: { type: 'string', default: '25' }, seconds: { type: 'string', default: '20' }, live: { type: 'boolean', default: false }, realtime: { type: 'boolean', default: false }, 'cache-dir': { type: 'string', default: '/tmp/custos-bench-clips' } } });
  const cameras = Number(values.cameras);
  const seconds = Number(values.seconds);
  const clip = await readFile(await ensureClip('full', values['cache-dir']));
  const loop = packetizeLoop(groupAccessUnits(splitNalUnits(clip)), 25);
  // The interleaved byte stream of `seconds` of media, built once.
  const parts: Buffer[] = [];
  const sink = { cork: () => undefined, uncork: () => undefined, write: (c: Uint8Array) => parts.push(Buffer.from(c)) > 0 };
  const state = { channel: 0, ssrc: 0x1234, seq: 0 };
  const frames = seconds * loop.fps;
  const frameEnds = new Uint32Array(frames);
  let written = 0;
  for (let i = 0; i < frames; i += 1) {
    writeFrame(sink, loop.frames[i % loop.frames.length]!, state, i * loop.frameTicks);
    let end = i === 0 ? 0 : (frameEnds[i - 1] as number);
    for (; written < parts.length; written += 1) end += (parts[written] as Buffer).length;
    frameEnds[i] = end;
  }
  const total = parts.reduce((n, p) => n + p.length, 0);
  const shared = new SharedArrayBuffer(total);
  let at = 0;
  for (const p of parts) {
    Buffer.from(shared).set(p, at);
    at += p.length;
  }
  parts.length = 0;

  const sender = new Worker(new URL(import.meta.url), { workerData: { stream: shared, length: total, cameras, frameEnds, realtime: values.realtime } satisfies SenderData });
  const [port] = (await once(sender, 'message')) as [number];

  let gcMs = 0;
  const gcKinds = new Map<number, { count: number; ms: number }>();
  const observer = new PerformanceObserver((list) => {
    for (const e of list.getEntries()) {
      gcMs += e.duration;
      const kind = ((e as { detail?: { kind?: number } }).detail?.kind) ?? 0;
      const k = gcKinds.get(kind) ?? { count: 0, ms: 0 };
      k.count += 1;
      k.ms += e.duration;
      gcKinds.set(kind, k);
    }
  });
  observer.observe({ entryTypes: ['gc'] });

  let framesOut = 0;
  let fragmentBytes = 0;
  const run = async (): Promise<void> => {
    const socket = await connectRtsp(`rtsp://127.0.0.1:${port}/`);
    const conn = new RtspConnection(socket);
    const depacketizer = createH264Depacketizer();
    const writer = new Fmp4Writer({ maxFragmentMs: 1000 });
    const chunker = values.live ? new LiveChunker() : undefined;
    let initialized = false;
    const deliver = async (bytes: Buffer): Promise<void> => {
      fragmentBytes += bytes.length;
    };
    // As native-ingest.ts's pump: an async handler, awaited per packet by the connection.
    conn.setFrameHandler(async (frame) => {
      const parsed = parseRtpPacket(frame.payload);
      if (!parsed.ok) return;
      for (const au of depacketizer.push(parsed.packet)) {
        if (!initialized) {
          const sps = au.parameterSets.sps;
          const pps = au.parameterSets.pps;
          if (!au.keyframe || sps === undefined || pps === undefined) continue;
          await deliver(writer.init({ codec: 'h264', sps, pps: [pps] }).bytes);
          initialized = true;
        }
        for (const piece of writer.addFrame({ nalus: au.nalus, timestamp: au.timestamp, keyframe: au.keyframe })) await deliver(piece.bytes);
        framesOut += 1;
        const chunk = chunker?.chunk(au);
        if (chunk !== undefined) await deliver(chunk.bytes);
      }
    });
    await conn.closed;
    const last = writer.flush();
    if (last !== undefined) await deliver(last.bytes);
  };

  // A CPU profile of this thread over the measured window: its "(garbage collector)" samples are
  // the GC share the harness reports per ingest worker (wall-clock GC pauses, above, also
  // count time the thread was descheduled on a busy machine).
  const inspector = new Session();
  inspector.connect();
  await inspector.post('Profiler.enable');
  await inspector.post('Profiler.setSamplingInterval', { interval: 500 });
  await inspector.post('Profiler.start');
  const cpu0 = process.threadCpuUsage();
  const wall0 = performance.now();
  await Promise.all(Array.from({ length: cameras }, run));
  const wallMs = performance.now() - wall0;
  const cpu = process.threadCpuUsage(cpu0);
  const { profile } = await inspector.post('Profiler.stop');
  inspector.disconnect();
  const names = new Map(profile.nodes.map((n) => [n.id, n.callFrame.functionName]));
  let busyUs = 0;
  let gcUs = 0;
  profile.samples?.forEach((id, i) => {
    const d = profile.timeDeltas?.[i] ?? 0;
    const name = names.get(id);
    if (name === '(idle)') return;
    busyUs += d;
    if (name === '(garbage collector)') gcUs += d;
  });
  await new Promise((r) => setTimeout(r, 50)); // let the observer deliver the last entries
  observer.disconnect();
  await sender.terminate();
  const cpuMs = (cpu.user + cpu.system) / 1000;
  const cameraSeconds = cameras * seconds;
  console.log(JSON.stringify({
    cameras, seconds, live: values.live, realtime: values.realtime, streamBytesPerCamera: total, framesOut, expectedFrames: cameras * frames, fragmentBytes, wallMs: Math.round(wallMs),
    cpuMs: Math.round(cpuMs), profileBusyMs: Math.round(busyUs / 1000), profileGcShare: +(gcUs / busyUs).toFixed(3),
    gcPauseMs: Math.round(gcMs),
    cpuMsPerCameraSecond: +(cpuMs / cameraSeconds).toFixed(3), profileGcMsPerCameraSecond: +(gcUs / 1000 / cameraSeconds).toFixed(3),
    gcByKind: Object.fromEntries([...gcKinds].map(([k, v]) => [k, { count: v.count, ms: Math.round(v.ms) }])),
  }));
}
