import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isAppError } from '../lib/errors.ts';
import type { Camera } from './camera.ts';
import { recordsSubStream, subStreamRetention } from './camera.ts';
import { assertSubStreamRecording } from './cameras.service.ts';
import { recordingId, recordingOf, recordingsOf, streamDetail } from '../recording/recorded-stream.ts';
import { sensitiveCameraPatch } from '../approvals/sensitive-change.ts';

const base: Camera = {
  id: '5f0c7c9e-0000-4000-8000-000000000001', name: 'Gate', url: 'rtsp://cam/main', username: null, password: null, tlsCaPem: null, enabled: true,
  retentionHours: 72, minRetentionHours: 24, ingest: 'auto', siteId: 'default', subStreamUrl: 'rtsp://cam/sub', recordAudio: false, createdMs: 0, updatedMs: 0,
};

/** The field a refusal names, or null when the camera is accepted. */
function refusedField(camera: Partial<Camera>, given: { subStreamRetentionHours?: number | null } = {}): string | null {
  try {
    assertSubStreamRecording({ ...base, ...camera }, given);
    return null;
  } catch (e) {
    assert.ok(isAppError(e) && e.code === 'VALIDATION_FAILED');
    return String(e.detail?.field);
  }
}

test('dual recording settings are accepted or refused with the field they concern', () => {
  const cases: [string, Partial<Camera>, { subStreamRetentionHours?: number | null }, string | null][] = [
    ['off, no sub-stream', { subStreamUrl: null }, {}, null],
    ['on with a sub-stream', { recordSubStream: true }, {}, null],
    ['on without a sub-stream', { recordSubStream: true, subStreamUrl: null }, {}, 'recordSubStream'],
    ['own retention below the camera\'s', { subStreamRetentionHours: 24 }, { subStreamRetentionHours: 24 }, null],
    ['own retention equal to the camera\'s', { subStreamRetentionHours: 72 }, { subStreamRetentionHours: 72 }, null],
    ['own retention above the camera\'s', { subStreamRetentionHours: 73 }, { subStreamRetentionHours: 73 }, 'subStreamRetentionHours'],
    ['own retention of zero', { subStreamRetentionHours: 0 }, { subStreamRetentionHours: 0 }, 'subStreamRetentionHours'],
    ['own retention not whole', { subStreamRetentionHours: 1.5 }, { subStreamRetentionHours: 1.5 }, 'subStreamRetentionHours'],
    ['camera retention lowered below an explicit one', { retentionHours: 12, minRetentionHours: 0, subStreamRetentionHours: 24 }, {}, 'retentionHours'],
    ['follows the camera\'s retention (null)', { subStreamRetentionHours: null, retentionHours: 1, minRetentionHours: 0 }, {}, null],
  ];
  for (const [name, camera, given, field] of cases) assert.equal(refusedField(camera, given), field, name);
});

test('the sub-stream is recorded only when turned on and named, and kept for its own retention or the camera\'s', () => {
  assert.equal(recordsSubStream({ recordSubStream: true, subStreamUrl: 'rtsp://cam/sub' }), true);
  assert.equal(recordsSubStream({ recordSubStream: true, subStreamUrl: null }), false);
  assert.equal(recordsSubStream({ subStreamUrl: 'rtsp://cam/sub' }), false);
  assert.equal(subStreamRetention({ retentionHours: 72, subStreamRetentionHours: null }), 72);
  assert.equal(subStreamRetention({ retentionHours: 72, subStreamRetentionHours: 6 }), 6);
});

test('a recording id names its camera and stream, and every camera has a main and a sub recording with their retentions', () => {
  assert.equal(recordingId(base.id, 'main'), base.id);
  assert.equal(recordingId(base.id, 'sub'), `${base.id}.sub`);
  assert.deepEqual(recordingOf(`${base.id}.sub`), { cameraId: base.id, stream: 'sub' });
  assert.deepEqual(recordingOf(base.id), { cameraId: base.id, stream: 'main' });
  assert.deepEqual(streamDetail(`${base.id}.sub`), { stream: 'sub' });
  assert.deepEqual(streamDetail(base.id), {});
  const all = recordingsOf([{ ...base, subStreamRetentionHours: 12 }]);
  assert.deepEqual(all.get(base.id), { hours: 72, minHours: 24 });
  assert.deepEqual(all.get(`${base.id}.sub`), { hours: 12, minHours: 12 }, 'the minimum is capped by the sub-stream\'s retention');
});

test('at a four-eyes site, lowering the sub-stream retention waits for a second person and must come alone', () => {
  const fourEyes = { current: true, target: true };
  assert.deepEqual(sensitiveCameraPatch(base, { subStreamRetentionHours: 24 }, fourEyes), { change: 'camera.subStreamRetention', cameraId: base.id, subStreamRetentionHours: 24, beforeHours: 72 });
  assert.equal(sensitiveCameraPatch({ ...base, subStreamRetentionHours: 12 }, { subStreamRetentionHours: 24 }, fourEyes), null, 'raising it is not sensitive');
  assert.equal(sensitiveCameraPatch({ ...base, subStreamRetentionHours: 12 }, { subStreamRetentionHours: null }, fourEyes), null, 'following the camera\'s retention again raises it');
  assert.equal(sensitiveCameraPatch(base, { subStreamRetentionHours: 24 }, { current: false, target: false }), null);
  assert.throws(() => sensitiveCameraPatch(base, { subStreamRetentionHours: 24, recordSubStream: true }, fourEyes), (e: unknown) => isAppError(e) && e.detail?.field === 'recordSubStream');
});
