import anyTest, { type TestFn } from 'ava';
import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { chromium } from 'playwright-core';
import { useTestApp, type TestApp } from './helpers/app.js';
import { createTodos, createUser } from './helpers/factories.js';

const test = anyTest as TestFn<{ app: TestApp }>;
useTestApp(test);

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
// CI installs Debian's chromium and must run this test; elsewhere it is optional.
const run = existsSync(CHROMIUM) || process.env.CI ? test : test.skip;
const ARTIFACTS = process.env.CI_ARTIFACTS ?? path.resolve('.ci-artifacts');
// A name that is not localhost, resolved by Chromium itself to the test server on
// 127.0.0.1: over plain HTTP it is no secure context, as a VM or LAN address is not.
// (127.0.0.2 would not do: Chromium treats all of 127/8 as localhost.)
const HOST = 'fast-zero.test';

run('/docs over http at a non-localhost name: OAuth2 authorize, then GET /todos/ → 200', async (t) => {
  t.timeout(90_000);
  const user = await createUser(t.context.app);
  await createTodos(user.id, 2, { title: 'visible in swagger' });
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    // The closed network refuses Chromium's background connections; these keep it quiet.
    // Playwright gives each launch a fresh, empty profile.
    args: [
      '--no-sandbox',
      '--disable-gpu',
      // Containers get a 64 MB /dev/shm (the dev container included): Chromium then uses /tmp.
      '--disable-dev-shm-usage',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      `--host-resolver-rules=MAP ${HOST} 127.0.0.1`,
    ],
  });
  t.teardown(() => browser.close());
  const page = await browser.newPage({ viewport: { width: 1280, height: 1400 } });
  const origin = `http://${HOST}:${new URL(t.context.app.client.baseUrl).port}`;
  // Also catches assets rewritten to https:// by a CSP upgrade-insecure-requests.
  const external: string[] = [];
  page.on('request', (request) => {
    if (!request.url().startsWith(`${origin}/`)) external.push(request.url());
  });

  await page.goto(`${origin}/docs`);
  await page
    .getByRole('button', { name: /Authorize/ })
    .first()
    .click();
  await page.locator('#oauth_username').fill(user.email);
  await page.locator('#oauth_password').fill(user.password);
  await page.locator('.modal-ux button.authorize').click();
  await page.locator('.modal-ux').getByText('Authorized', { exact: true }).waitFor();
  await page.locator('.modal-ux button.btn-done').click();

  const operation = page.locator('#operations-todos-list_todos');
  await operation.locator('.opblock-summary').click();
  await operation.getByRole('button', { name: 'Try it out' }).click();
  await operation.getByRole('button', { name: 'Execute' }).click();
  const status = operation.locator('.live-responses-table .response .response-col_status').first();
  await status.waitFor();
  t.is((await status.innerText()).trim(), '200');
  t.regex(await operation.locator('.live-responses-table').innerText(), /visible in swagger/);

  await mkdir(ARTIFACTS, { recursive: true });
  const screenshot = path.join(ARTIFACTS, 'docs-get-todos.png');
  await page.screenshot({ path: screenshot, fullPage: true });
  t.log(`screenshot: ${screenshot}`);
  t.deepEqual(external, [], 'the page loads nothing from other origins');
});
