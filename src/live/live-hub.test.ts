import { test } from 'node:test';
import assert from 'node:assert/strict';
import { LiveHub, type LiveViewer } from './live-hub.ts';
import type { FragmentPiece, InitPiece, LiveChunkPiece } from '../media/media.ts';

const init: InitPiece = { kind: 'init', bytes: Buffer.from('init'), codec: 'avc1.640028', timescale: 12800, trackId: 1, width: 1920, height: 1080 };
const frag = (name: string, keyframe: boolean): FragmentPiece => ({ kind: 'fragment', bytes: Buffer.from(name), decodeTime: 0, duration: 12800, sampleCount: 25, keyframe });

class RecordingViewer implements LiveViewer {
  messages: string[] = [];
  buffered = 0;
  closed: string | null = null;
  send(data: string | Buffer): void {
    this.messages.push(typeof data === 'string' ? `json:${(JSON.parse(data) as { type: string }).type}` : data.toString());
  }
  bufferedAmount(): number {
    return this.buffered;
  }
  close(reason: string): void {
    this.closed = reason;
  }
}

test('a new viewer starts at the last key frame, after the hello and the init segment', () => {
  const hub = new LiveHub({ maxBufferedBytes: 1 << 20 });
  hub.publishInit('c', init);
  hub.publishFragment('c', frag('k1', true));
  hub.publishFragment('c', frag('p1', false));
  hub.publishFragment('c', frag('k2', true));
  hub.publishFragment('c', frag('p2', false));
  const viewer = new RecordingViewer();
  hub.subscribe('c', viewer);
  hub.publishFragment('c', frag('p3', false));
  assert.deepEqual(viewer.messages, ['json:init', 'init', 'k2', 'p2', 'p3']);
});

test('a viewer that subscribes before the stream starts gets it from its init', () => {
  const hub = new LiveHub({ maxBufferedBytes: 1 << 20 });
  const viewer = new RecordingViewer();
  hub.subscribe('c', viewer);
  hub.publishFragment('c', frag('lost', true));
  hub.publishInit('c', init);
  hub.publishFragment('c', frag('k1', true));
  assert.deepEqual(viewer.messages, ['json:init', 'init', 'k1']);
});

test('a slow viewer is dropped and the others keep receiving', () => {
  const hub = new LiveHub({ maxBufferedBytes: 100 });
  hub.publishInit('c', init);
  const slow = new RecordingViewer();
  const fast = new RecordingViewer();
  hub.subscribe('c', slow);
  hub.subscribe('c', fast);
  slow.buffered = 99;
  hub.publishFragment('c', frag('k1', true));
  assert.equal(slow.closed, 'viewer too slow');
  assert.equal(hub.viewerCount('c'), 1);
  assert.deepEqual(fast.messages.slice(-1), ['k1']);
});

test('unsubscribing stops delivery', () => {
  const hub = new LiveHub({ maxBufferedBytes: 1 << 20 });
  hub.publishInit('c', init);
  const viewer = new RecordingViewer();
  const off = hub.subscribe('c', viewer);
  off();
  hub.publishFragment('c', frag('k1', true));
  assert.deepEqual(viewer.messages, ['json:init', 'init']);
});

const chunk = (name: string, keyframe: boolean): LiveChunkPiece => ({ kind: 'live-chunk', bytes: Buffer.from(name), decodeTime: 0, duration: 3600, keyframe });

test('per-frame live chunks replace fragments for viewers; a new viewer starts at the last key chunk', () => {
  const hub = new LiveHub({ maxBufferedBytes: 1 << 20 });
  const early = new RecordingViewer();
  hub.subscribe('c', early);
  hub.publishInit('c', init);
  hub.publishChunk('c', chunk('c1', true));
  hub.publishChunk('c', chunk('c2', false));
  hub.publishFragment('c', frag('f1', true)); // the recording's fragment of the same frames: not sent
  hub.publishChunk('c', chunk('c3', true));
  hub.publishChunk('c', chunk('c4', false));
  const late = new RecordingViewer();
  hub.subscribe('c', late);
  hub.publishChunk('c', chunk('c5', false));
  assert.deepEqual(early.messages, ['json:init', 'init', 'c1', 'c2', 'c3', 'c4', 'c5']);
  assert.deepEqual(late.messages, ['json:init', 'init', 'c3', 'c4', 'c5']);
});

test('a new init goes back to fragments until chunks come again; a slow chunk viewer is dropped', () => {
  const hub = new LiveHub({ maxBufferedBytes: 10 });
  const v = new RecordingViewer();
  hub.subscribe('c', v);
  hub.publishInit('c', init);
  hub.publishChunk('c', chunk('c1', true));
  hub.publishInit('c', init);
  hub.publishFragment('c', frag('f1', true));
  assert.deepEqual(v.messages, ['json:init', 'init', 'c1', 'json:init', 'init', 'f1']);
  v.buffered = 9;
  hub.publishChunk('c', chunk('c2', true));
  assert.equal(v.closed, 'viewer too slow');
  assert.equal(hub.viewerCount('c'), 0);
});

test('demand for live chunks follows the viewers: on with the first, off with the last (unsubscribe, a slow drop, the camera closed)', () => {
  const hub = new LiveHub({ maxBufferedBytes: 10 });
  const seen: boolean[] = [];
  const demand = hub.demand('c');
  const stop = demand.onChange((w) => seen.push(w));
  assert.equal(demand.wanted(), false);
  const a = new RecordingViewer();
  const b = new RecordingViewer();
  const offA = hub.subscribe('c', a);
  hub.subscribe('c', b);
  assert.equal(demand.wanted(), true);
  offA();
  assert.deepEqual(seen, [true], 'a second viewer and one of two leaving change nothing');
  hub.publishInit('c', init);
  b.buffered = 9;
  hub.publishFragment('c', frag('k1', true));
  assert.deepEqual(seen, [true, false], 'the last viewer dropped as too slow');
  hub.subscribe('c', new RecordingViewer());
  hub.closeCamera('c', 'camera removed');
  assert.deepEqual(seen, [true, false, true, false]);
  stop();
  hub.subscribe('c', new RecordingViewer());
  assert.deepEqual(seen, [true, false, true, false], 'a stopped listener hears nothing');
  assert.equal(hub.demand('d').wanted(), false, 'per camera');
});

test('after the last viewer leaves, late chunks are ignored and the next viewer starts from the recording\'s key fragment, then switches to chunks at a key chunk', () => {
  const hub = new LiveHub({ maxBufferedBytes: 1 << 20 });
  const first = new RecordingViewer();
  const off = hub.subscribe('c', first);
  hub.publishInit('c', init);
  hub.publishChunk('c', chunk('c1', true));
  off();
  hub.publishChunk('c', chunk('late', false)); // in flight when the demand went off
  hub.publishFragment('c', frag('k1', true));
  hub.publishFragment('c', frag('p1', false));
  const next = new RecordingViewer();
  hub.subscribe('c', next);
  hub.publishFragment('c', frag('p2', false));
  hub.publishChunk('c', chunk('c9', true)); // the ingest starts chunks again at a key frame
  hub.publishFragment('c', frag('k2', true)); // the same frames as chunks: not sent
  assert.deepEqual(next.messages, ['json:init', 'init', 'k1', 'p1', 'p2', 'c9']);
});
