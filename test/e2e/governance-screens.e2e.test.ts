/**
 * The console's governance, residency and cluster screens, per role, end to end through the real
 * server and Chromium: a compliance officer reads the Statement of Applicability (filtered by
 * status) and the live evidence, downloads the readiness pack (a zip) and reads the residency
 * report listing the recording zone and jurisdiction of a real camera's footage; a member of the
 * management body approves a policy on file; an administrator gets the health screen without a
 * cluster panel (cluster mode off) and no governance or residency screen (the API refuses them
 * audit.read / governance.read), and on a one-node cluster on PostgreSQL the cluster panel (node
 * live, roles, URL, the camera's recorder, the checkpoint signer); a viewer gets none of these screens. axe-core finds no violation
 * on any of them, at 1440 px and at 390 px.
 * Real: camsim (RTSP), ffmpeg, SQLite, PostgreSQL, HTTPS, Chromium, axe-core.
 */
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Browser } from 'playwright-core';
import type { App } from '../../src/app.ts';
import type { Camsim } from '../../tools/camsim/camsim.ts';
import { strongPassword, testPrincipal } from '../helpers/access.ts';
import { testActor } from '../helpers/audit.ts';
import { axeViolations } from '../helpers/axe.ts';
import { launchChromium } from '../helpers/chromium.ts';
import { createTestDatabase } from '../helpers/databases.ts';
import { startTestApp, startTestCamsim, tempDir, waitFor } from '../helpers/harness.ts';
import { consoleTabs, signedInPage, signIn } from '../helpers/console-page.ts';
import { teardown } from '../helpers/teardown.ts';

const tabs = consoleTabs;

describe('Governance, residency and cluster screens, by role', () => {
  let dir: Awaited<ReturnType<typeof tempDir>> | undefined;
  let sim: Camsim | undefined;
  let app: App | undefined;
  let browser: Browser | undefined;
  let cam = '';
  let docId = '';
  const password = strongPassword();
  const defer = teardown({ after });

  const pageOf = (user: string, width = 1440) => signedInPage(browser!, { url: app!.url, user, password, width, defer });

  before(async () => {
    dir = await tempDir('e2e-gov-screens');
    defer(() => dir?.remove());
    sim = await startTestCamsim({ cameras: 1 });
    defer(() => sim?.close());
    app = await startTestApp(dir.path, {
      'recording.segmentSeconds': 2,
      'residency.allowed': ['EU'],
      'residency.dataDir': 'DE',
      'identity.roles': { admin: { mfa: false }, 'compliance-officer': { mfa: false }, management: { mfa: false } },
    });
    defer(() => app?.close());
    cam = (await app.cameras.add({ name: 'Gate', url: sim.urls[0]! }, testActor)).id;
    for (const [username, role] of [['ada', 'admin'], ['cora', 'compliance-officer'], ['mona', 'management'], ['vic', 'viewer']] as const) {
      const u = await app.identity.users.create({ username, password }, testActor);
      await app.identity.grants.grant(u, { role, scope: 'global' }, { audit: testActor, userId: null });
    }
    const officer = await testPrincipal(app, { roles: ['compliance-officer'] });
    const filed = await officer.inject({ method: 'POST', url: '/api/v1/governance/documents', payload: { kind: 'policy', title: 'Information security policy v3', mediaType: 'text/plain', contentBase64: Buffer.from('Information security policy v3\n').toString('base64') } });
    assert.equal(filed.statusCode, 201, filed.body);
    docId = filed.json<{ id: string }>().id;
    const assessed = await officer.inject({ method: 'PATCH', url: '/api/v1/governance/requirements/nis2-21.2.a', payload: { status: 'implemented', owner: 'CISO' } });
    assert.equal(assessed.statusCode, 200, assessed.body);
    const a = app;
    await waitFor('a closed segment of Gate', 20_000, async () => (await a.playback.segments(cam, 0, Number.MAX_SAFE_INTEGER)).some((s) => s.state === 'closed'));
    browser = await launchChromium();
    defer(() => browser?.close());
  });

  it('shows a compliance officer the catalogue, the live evidence and the readiness pack, and the residency report of a real camera', async () => {
    const { page, errors } = await pageOf('cora');
    assert.deepEqual(await tabs(page), ['Cameras', 'Inventory', 'Alarms', 'Incidents', 'Audit', 'Governance', 'Residency', 'Access register']);
    await page.getByRole('link', { name: 'Governance' }).click();
    const rows = page.locator('table.requirements tr.requirement');
    await waitFor('the catalogue', 10_000, async () => (await rows.count()) === 116);
    await page.locator(`tr.requirement[data-requirement-id="nis2-21.2.a"]`).waitFor();
    await page.getByLabel('Show requirements with status').selectOption('implemented');
    await page.getByText('1 of 116 requirements').waitFor();
    assert.deepEqual(await page.locator('table.requirements tr.requirement td').allTextContents().then((c) => [c[0]?.startsWith('nis2-21.2.a'), c[2], c[3]]), [true, 'Implemented', 'CISO']);
    await page.getByLabel('Show requirements with status').selectOption('');
    const metrics = page.locator('table.evidence tr.metric');
    await waitFor('the live evidence', 10_000, async () => (await metrics.count()) > 0);
    for (const row of await metrics.all()) {
      const cells = await row.locator('td').allTextContents();
      assert.ok(['OK', 'Attention', 'No record', 'Not built'].includes(cells[1]!), `state of ${cells[0]}: ${cells[1]}`);
      assert.ok((cells[3] ?? '').length > 0, `source of ${cells[0]}`);
    }
    await page.locator(`li.document[data-document-id="${docId}"]`).getByText('not approved yet').waitFor();
    assert.equal(await page.getByRole('button', { name: 'Approve Information security policy v3' }).count(), 0, 'no approval without governance.approve');
    assert.deepEqual(await axeViolations(page), [], 'axe-core on the governance screen');
    const [download] = await Promise.all([page.waitForEvent('download'), page.locator('a.readiness-pack').click()]);
    const zip = await readFile(await download.path());
    assert.ok(zip.length > 100, `readiness pack of ${zip.length} bytes`);
    assert.equal(zip.subarray(0, 4).toString('latin1'), 'PK\x03\x04', 'a zip file');

    await page.getByRole('link', { name: 'Residency' }).click();
    await page.locator('.residency-allowed').getByText('EU', { exact: true }).waitFor({ timeout: 10_000 });
    const footage = page.locator(`li.residency-camera[data-camera-id="${cam}"] tr.footage-zone[data-zone="default"]`);
    await footage.waitFor({ timeout: 10_000 });
    const cells = await footage.locator('td').allTextContents();
    assert.equal(cells[0], 'default (storage-zone)');
    assert.equal(cells[1], 'DE');
    assert.ok(Number(cells[2]) >= 1, `segments: ${cells[2]}`);
    assert.equal(await page.locator('.residency-outside').count(), 0, 'nothing outside EU');
    assert.deepEqual(await axeViolations(page), [], 'axe-core on the residency report');
    // The 401 is /auth/me before signing in; a 403 would be a screen calling an API its user may not.
    assert.deepEqual(errors.filter((e) => !/status of 401/.test(e)), []);
  });

  it('lets a member of the management body approve a policy on file', async () => {
    const { page } = await pageOf('mona');
    assert.deepEqual(await tabs(page), ['Governance']);
    const doc = page.locator(`li.document[data-document-id="${docId}"]`);
    await doc.getByLabel('Your function in the management body').fill('CEO');
    await doc.getByRole('button', { name: 'Approve Information security policy v3' }).click();
    await page.getByText('Approval recorded in the audit log.').waitFor({ timeout: 10_000 });
    await doc.locator('li.approval').getByText(/^approved by .+ \(CEO\) on /).waitFor({ timeout: 10_000 });
    assert.deepEqual(await axeViolations(page), [], 'axe-core with the approval form');
  });

  it('fits governance and residency on a 390 px phone, and speaks German there', async () => {
    const { page } = await pageOf('cora', 390);
    await page.getByRole('link', { name: 'Governance' }).click();
    await page.locator('table.requirements tr.requirement').first().waitFor({ timeout: 10_000 });
    assert.equal(await page.evaluate(() => document.documentElement.scrollWidth <= 390), true, 'no horizontal overflow (governance)');
    assert.deepEqual(await axeViolations(page), [], 'axe-core on governance at 390 px');
    await page.getByRole('link', { name: 'Residency' }).click();
    await page.locator('tr.footage-zone').first().waitFor({ timeout: 10_000 });
    assert.equal(await page.evaluate(() => document.documentElement.scrollWidth <= 390), true, 'no horizontal overflow (residency)');
    await page.getByLabel(/Language|Sprache/).selectOption('de');
    await page.getByRole('heading', { name: 'Datenstandort: wo jedes Byte liegt' }).waitFor();
    assert.deepEqual(await axeViolations(page), [], 'axe-core on residency in German at 390 px');
  });

  it('gives an administrator the health screen without a cluster panel (cluster mode off), and no governance or residency screen', async () => {
    const { page } = await pageOf('ada');
    assert.deepEqual(await tabs(page), ['Live', 'Cameras', 'Inventory', 'Approvals', 'Users', 'Health', 'Sites']);
    await page.getByRole('link', { name: 'Health' }).click();
    await page.locator('#health-view').getByText('Storage zones').waitFor({ timeout: 10_000 });
    assert.equal(await page.locator('#cluster-panel').count(), 0);
    assert.deepEqual(await axeViolations(page), [], 'axe-core on the health screen');
  });

  it('shows an administrator the cluster on the health screen when cluster mode is on (one node on PostgreSQL)', async () => {
    const pg = await createTestDatabase('postgres');
    defer(() => pg.close());
    const nodeDir = await tempDir('e2e-gov-cluster');
    defer(() => nodeDir.remove());
    const node = await startTestApp(nodeDir.path, {
      'database.url': pg.location,
      'keys.file.path': join(nodeDir.path, 'master.key'),
      'recording.segmentSeconds': 2,
      'cluster.enabled': true,
      'cluster.nodeId': 'node-a',
      'cluster.url': 'https://node-a.cluster.test:8443',
      'cluster.leaseSeconds': 3,
      'identity.roles': { admin: { mfa: false } },
    });
    defer(() => node.close());
    const gate = await node.cameras.add({ name: 'Gate', url: sim!.urls[0]! }, testActor);
    const u = await node.identity.users.create({ username: 'ada', password }, testActor);
    await node.identity.grants.grant(u, { role: 'admin', scope: 'global' }, { audit: testActor, userId: null });
    const context = await browser!.newContext({ ignoreHTTPSErrors: true, viewport: { width: 390, height: 844 } });
    defer(() => context.close());
    const page = await context.newPage();
    await page.goto(`${node.url}#/health`);
    await signIn(page, 'ada', password);
    await page.getByRole('link', { name: 'Health' }).click();
    const panel = page.locator('#cluster-panel');
    await panel.locator('tr.cluster-node[data-node-id="node-a"]').waitFor({ timeout: 15_000 });
    const nodeCells = await panel.locator('tr.cluster-node[data-node-id="node-a"] td').allTextContents();
    assert.deepEqual([nodeCells[0], nodeCells[1], nodeCells[3]], ['node-a', 'live', 'https://node-a.cluster.test:8443']);
    assert.ok((nodeCells[2] ?? '').length > 0, 'the node\'s roles');
    const recorder = panel.locator(`table.cluster-recorders tr[data-camera-id="${gate.id}"] td`);
    await waitFor('Gate recorded by node-a', 15_000, async () => (await recorder.count()) > 0 && (await recorder.nth(1).textContent()) === 'node-a');
    assert.equal(await recorder.nth(0).textContent(), 'Gate');
    await panel.getByText('Checkpoint signer: node-a').waitFor({ timeout: 15_000 });
    assert.equal(await page.evaluate(() => document.documentElement.scrollWidth <= 390), true, 'no horizontal overflow (cluster panel)');
    assert.deepEqual(await axeViolations(page), [], 'axe-core on the cluster panel at 390 px');
  });

  it('offers a viewer none of these screens, also not by address', async () => {
    const { page } = await pageOf('vic');
    assert.deepEqual(await tabs(page), ['Live', 'Cameras']);
    for (const hash of ['#/governance', '#/residency']) {
      await page.evaluate((h) => (location.hash = h), hash);
      await page.waitForTimeout(200);
      assert.equal(await page.locator('#governance-view, #residency-view').count(), 0, hash);
    }
    assert.deepEqual(await axeViolations(page), [], 'axe-core for the viewer');
  });
});
