import { randomBytes } from 'node:crypto';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import {
  expectHeading,
  expectText,
  launchBrowser,
  openPage,
  openTab,
  screenshot,
  screenshotFailures,
  signIn,
} from './browser.js';
import { createUserWithKey } from './seed.js';

const stack = inject('stack');
let browser: Browser;
let page: Page;

const email = `newcomer-${randomBytes(3).toString('hex')}@example.com`;

// A user the operator just created: no usage, no keys, onboarding not started.
beforeAll(async () => {
  const { key } = await createUserWithKey(stack.gatewayUrl, stack.adminKey, email, 'New Comer');
  browser = await launchBrowser();
  page = await openTab(browser);
  await signIn(page, stack.consoleUrl, key);
});

afterAll(async () => {
  await browser?.close();
});

screenshotFailures(() => page);

describe('a new user', () => {
  it('sees pages that say there is nothing yet, instead of blank tables', async () => {
    await expectHeading(page, 'Overview');
    await expectText(page, /^0 requests of /);
    await expectText(page, /^No alerts\./);
    await openPage(page, 'Usage');
    expect(await page.getByText('No requests this month yet.').count()).toBe(2);
    await expectText(page, /^No requests yet\./);
    await screenshot(page, 'new-user-usage-empty');
    await openPage(page, 'Keys & providers');
    await expectText(page, 'No provider keys of your own.');
  });

  it('walks through onboarding on the Monitoring page and gets a monitored website', async () => {
    await openPage(page, 'Monitoring');
    const steps = page.getByRole('listitem').filter({ hasText: /\((to do|done)\)$/ });
    await expect.poll(() => steps.count()).toBe(6);
    expect(await steps.filter({ hasText: '(to do)' }).count()).toBe(6);
    await expectText(page, /^No monitoring tasks yet\./);
    await screenshot(page, 'new-user-onboarding');

    const next = page.getByRole('button', { name: 'Save and continue' });
    await next.click(); // 1: the gateway's chain
    await page.getByLabel('Website URL').fill(stack.user.websiteUrl);
    await next.click();
    await page.getByLabel(/^Competitors/).waitFor();
    await next.click(); // 3: no competitors
    await page.getByLabel(/^Tone/).fill('friendly');
    await next.click();
    await page.getByRole('group', { name: 'Platforms you will connect' }).waitFor();
    await next.click(); // 5: no platforms yet
    await page.getByRole('button', { name: 'Confirm and start monitoring' }).click();

    await expectText(page, 'Onboarding complete');
    const task = page.getByRole('row').filter({ hasText: stack.user.websiteUrl });
    await task.waitFor();
    expect(await task.innerText()).toContain('Website analysis');
  });

  it('watches a competitor, then stops watching it', async () => {
    const rival = `${stack.user.websiteUrl}?rival=1`;
    const form = page.getByRole('form', { name: 'Watch a competitor' });
    await form.getByLabel('Competitor website').fill(rival);
    await form.getByRole('button', { name: 'Watch competitor' }).click();
    const competitor = page
      .getByRole('row')
      .filter({ hasText: 'Competitor analysis' })
      .filter({ has: page.getByRole('button', { name: 'Stop watching' }) });
    await competitor.waitFor();
    expect(await competitor.innerText()).toContain('rival=1');

    page.once('dialog', (dialog) => void dialog.accept());
    await competitor.getByRole('button', { name: 'Stop watching' }).click();
    await competitor.waitFor({ state: 'detached' });
  });

  it('is told why Google Search Console cannot be connected on this server', async () => {
    await page.getByRole('button', { name: 'Connect Google Search Console' }).click();
    await expectText(page, /its OAuth app is not configured on this server \(set GOOGLE_CLIENT_ID and/);
  });

  it('is signed out, with the reason, once the operator revokes the key', async () => {
    const operator = await openTab(browser);
    await signIn(operator, stack.consoleUrl, stack.adminKey);
    await openPage(operator, 'Users & plans');
    const row = operator.getByRole('row').filter({ hasText: email });
    operator.once('dialog', (dialog) => void dialog.accept());
    await row.getByRole('button', { name: /^Revoke key/ }).click();
    await row.getByText('no active key').waitFor();

    // The user's next request carries the revoked key.
    await page.getByRole('navigation').getByRole('link', { name: 'Usage', exact: true }).click();
    await expectHeading(page, 'Sign in to Switchyard');
    await expectText(page, /^Signed out: Incorrect API key/);
    await screenshot(page, 'new-user-signed-out-after-revoke');
  });
});
