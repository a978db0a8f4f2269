import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import {
  expectHeading,
  expectText,
  launchBrowser,
  openTab,
  screenshot,
  screenshotFailures,
  signIn,
} from './browser.js';

const stack = inject('stack');
let browser: Browser;
let page: Page;

beforeAll(async () => {
  browser = await launchBrowser();
});

afterAll(async () => {
  await browser?.close();
});

screenshotFailures(() => page);

describe('signing in to the console', () => {
  it('shows the sign-in page without a key, and refuses a wrong key with the reason', async () => {
    page = await openTab(browser);
    await page.goto(stack.consoleUrl);
    await expectHeading(page, 'Sign in to Switchyard');
    await screenshot(page, 'sign-in');

    await page.getByLabel(/key/i).fill('sy-not-a-real-key-000000');
    await page.getByRole('button', { name: /sign in/i }).click();
    await expectText(page, /^Incorrect API key/);
    await expectHeading(page, 'Sign in to Switchyard');
  });

  it('works from the keyboard alone: type the key, Enter, then Tab to a page and open it', async () => {
    page = await openTab(browser);
    await page.goto(stack.consoleUrl);
    await expectHeading(page, 'Sign in to Switchyard');
    // The key field has the focus on arrival.
    await page.keyboard.type(stack.user.key);
    await page.keyboard.press('Enter');
    await expectHeading(page, 'Overview');
    for (let presses = 0; presses < 15; presses += 1) {
      await page.keyboard.press('Tab');
      const focused = await page.evaluate(() => document.activeElement?.textContent?.trim());
      if (focused === 'Usage') break;
    }
    await page.keyboard.press('Enter');
    await expectHeading(page, 'Usage');
  });

  it('signs a user in to the overview and out again, forgetting the key', async () => {
    page = await openTab(browser);
    await signIn(page, stack.consoleUrl, stack.user.key);
    await expectHeading(page, 'Overview');
    await expectText(page, stack.user.email);

    await page.getByRole('button', { name: /sign out/i }).click();
    await expectHeading(page, 'Sign in to Switchyard');
    const stored = await page.evaluate(() => JSON.stringify(Object.values(sessionStorage)));
    expect(stored).not.toContain(stack.user.key);
    // A reload stays signed out.
    await page.reload();
    await expectHeading(page, 'Sign in to Switchyard');
  });
});
