/**
 * Which control of a console edit form an API refusal concerns (web/src/app/field-problem.ts):
 * the field the problem names, a form's mapping of a code, a message that starts with a field's
 * name, else the form as a whole.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { problemOf, type Refusal } from '../../web/src/app/field-problem.ts';

const fields = ['name', 'url', 'subStreamUrl', 'mitigationsApplied', 'closedAt'] as const;
/** A refusal as the console's ApiError carries it: message, code and the problem's field. */
const refusal = (message: string, code: string, field?: string) => Object.assign(new Error(message), { code, field });

test('the field a VALIDATION_FAILED names wins, its first path segment when it is a list item', () => {
  assert.deepEqual(problemOf(refusal("subStreamUrl must name the camera's own host", 'VALIDATION_FAILED', 'subStreamUrl'), fields), { field: 'subStreamUrl', text: "subStreamUrl must name the camera's own host" });
  assert.equal(problemOf(refusal('body mitigationsApplied.0: too small', 'VALIDATION_FAILED', 'mitigationsApplied.0'), fields).field, 'mitigationsApplied');
});

test("a code the form maps concerns the mapped field; a field the form does not have is the form's", () => {
  const byCode = (e: Refusal) => (e.code === 'CAMERA_NAME_TAKEN' ? 'name' : e.code === 'CONFLICT' ? 'version' : null);
  assert.equal(problemOf(refusal('a camera named "Yard" already exists', 'CAMERA_NAME_TAKEN'), fields, byCode).field, 'name');
  assert.equal(problemOf(refusal('incident 1 was changed meanwhile', 'CONFLICT'), fields, byCode).field, null);
  assert.equal(problemOf(refusal('no site x', 'VALIDATION_FAILED', 'siteId'), fields).field, null);
});

test("a message that starts with a field's name concerns it; other messages and other errors concern the form", () => {
  assert.equal(problemOf(refusal('closedAt is before awareAt', 'VALIDATION_FAILED'), fields).field, 'closedAt');
  assert.equal(problemOf(refusal('body closedAt: invalid', 'VALIDATION_FAILED'), fields).field, 'closedAt');
  assert.equal(problemOf(refusal('the change was refused', 'FORBIDDEN'), fields).field, null);
  assert.deepEqual(problemOf(new TypeError('Failed to fetch'), fields), { field: null, text: 'Failed to fetch' });
});
