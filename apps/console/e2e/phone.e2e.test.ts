import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import {
  expectHeading,
  launchBrowser,
  openPage,
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

/** Whether the page itself scrolls sideways (wide tables may scroll inside their own box, the page must not). */
const scrollsSideways = () =>
  page.evaluate(() => document.documentElement.scrollWidth > document.documentElement.clientWidth + 1);

/** Opens each page from the navigation at phone width; its heading shows, it fits the screen, and is kept. */
async function walk(role: string, pages: string[]): Promise<void> {
  for (const name of pages) {
    await openPage(page, name);
    // A page's data arrives after its heading; wait until nothing is loading so the picture shows the page.
    await expect.poll(() => page.getByRole('status').filter({ hasText: 'Loading' }).count()).toBe(0);
    await screenshot(page, `phone-${role}-${name.toLowerCase().replace(/[^a-z]+/g, '-')}`);
    expect(await scrollsSideways(), `${name} scrolls sideways at 390 px`).toBe(false);
  }
}

describe('the console on a 390 px phone', () => {
  it('the sign-in page fits', async () => {
    page = await openTab(browser, 390);
    await page.goto(stack.consoleUrl);
    await expectHeading(page, 'Sign in to Switchyard');
    expect(await scrollsSideways()).toBe(false);
    await screenshot(page, 'phone-sign-in');
  });

  it('every user page is reachable and fits', async () => {
    page = await openTab(browser, 390);
    await signIn(page, stack.consoleUrl, stack.user.key);
    await walk('user', ['Usage', 'Keys & providers', 'Monitoring', 'Playground', 'Overview']);
  });

  it('every operator page is reachable and fits', async () => {
    page = await openTab(browser, 390);
    await signIn(page, stack.consoleUrl, stack.adminKey);
    await walk('operator', ['Users & plans', 'Queues', 'Providers']);
  });
});
