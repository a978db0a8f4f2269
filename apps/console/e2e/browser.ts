import { mkdir } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { readProcessEnv } from '@switchyard/config';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterEach } from 'vitest';

const screenshotsDirectory = fileURLToPath(new URL('../reports/screenshots/', import.meta.url));

/** Debian's chromium (CI installs it), or `CHROMIUM_PATH`; Playwright never downloads a browser here. */
export function launchBrowser(): Promise<Browser> {
  return chromium.launch({
    executablePath: readProcessEnv().CHROMIUM_PATH ?? '/usr/bin/chromium',
    headless: true,
  });
}

/** The browser's time zone in the suite: not UTC, so times shown in UTC by mistake would differ. */
export const browserTimeZone = 'Europe/Berlin';

/** A fresh tab (own session storage and cookies) at a width people use: 1280 px desktop, 390 px phone. */
export async function openTab(browser: Browser, width: 1280 | 390 = 1280): Promise<Page> {
  const context = await browser.newContext({
    viewport: { width, height: width === 390 ? 844 : 900 },
    timezoneId: browserTimeZone,
  });
  const page = await context.newPage();
  page.setDefaultTimeout(20_000);
  return page;
}

/** Signs in on the console's sign-in page with a key, as a person pastes it, and waits for the first page. */
export async function signIn(page: Page, consoleUrl: string, key: string): Promise<void> {
  await page.goto(consoleUrl);
  await page.getByRole('heading', { name: 'Sign in to Switchyard' }).waitFor();
  await page.getByLabel(/key/i).fill(key);
  await page.getByRole('button', { name: /sign in/i }).click();
  await page.getByRole('heading', { name: 'Sign in to Switchyard' }).waitFor({ state: 'detached' });
}

/** Follows the navigation link to a page and waits for its heading. */
export async function openPage(page: Page, name: string): Promise<void> {
  await page.getByRole('navigation').getByRole('link', { name, exact: true }).click();
  await expectHeading(page, name);
}

/** Waits until the page's main heading reads `name`. */
export async function expectHeading(page: Page, name: string): Promise<void> {
  await page.getByRole('heading', { level: 1, name, exact: true }).waitFor();
}

/** Waits until `text` is visible somewhere on the page (fails after the tab's default timeout). */
export async function expectText(page: Page, text: string | RegExp): Promise<void> {
  await page.getByText(text).first().waitFor();
}

/** Saves the whole page as `reports/screenshots/<name>.png` (CI keeps them) and returns the file's path. */
export async function screenshot(page: Page, name: string): Promise<string> {
  await mkdir(screenshotsDirectory, { recursive: true });
  const path = `${screenshotsDirectory}${name}.png`;
  await page.screenshot({ path, fullPage: true });
  return path;
}

/**
 * After a failed test, saves what its tab showed as `reports/screenshots/failed-<test>.png`: the first thing to look
 * at when CI fails. `currentPage` answers the tab the test was using.
 */
export function screenshotFailures(currentPage: () => Page | undefined): void {
  afterEach(async ({ task }) => {
    const page = currentPage();
    if (task.result?.state !== 'fail' || !page || page.isClosed()) return;
    await screenshot(
      page,
      `failed-${task.name
        .toLowerCase()
        .replace(/[^a-z0-9]+/g, '-')
        .slice(0, 60)}`,
    );
  });
}
