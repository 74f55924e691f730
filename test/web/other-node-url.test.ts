// The live player's reading of a 4421 close (cluster mode, ADR 0034): which node to open instead.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { otherNodeUrl } from '../../web/src/live/live-player.ts';

test('the recording node is read from CAMERA_ON_OTHER_NODE <url>, and only an https URL is offered', () => {
  assert.equal(otherNodeUrl('CAMERA_ON_OTHER_NODE https://node-b.example:8443'), 'https://node-b.example:8443');
  for (const reason of ['CAMERA_ON_OTHER_NODE', 'CAMERA_ON_OTHER_NODE node-b', 'CAMERA_ON_OTHER_NODE javascript:alert(1)', 'CAMERA_ON_OTHER_NODE http://node-b:8443', 'other https://node-b', 'CAMERA_ON_OTHER_NODE https://a b']) {
    assert.equal(otherNodeUrl(reason), null, reason);
  }
});
