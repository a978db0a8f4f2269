import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import {
  browserTimeZone,
  expectHeading,
  expectText,
  launchBrowser,
  openPage,
  openTab,
  screenshot,
  screenshotFailures,
  signIn,
} from './browser.js';
import { planRequestLimit, seededChats } from './seed.js';

const stack = inject('stack');
let browser: Browser;
let page: Page;

// One signed-in tab walks the user's pages in order, as a person would; each test starts from the navigation.
beforeAll(async () => {
  browser = await launchBrowser();
  page = await openTab(browser);
  await signIn(page, stack.consoleUrl, stack.user.key);
});

afterAll(async () => {
  await browser?.close();
});

screenshotFailures(() => page);

/** The data rows of the table in the card titled `title`, as the visible texts of their cells. */
async function tableRows(title: string): Promise<string[][]> {
  const rows = page.getByRole('region', { name: title, exact: true }).getByRole('row');
  return rows.evaluateAll((elements) =>
    elements
      .filter((row) => row.querySelector('td'))
      .map((row) => [...row.querySelectorAll('td')].map((cell) => (cell as HTMLElement).innerText.trim())),
  );
}

describe('a user walks the console', () => {
  it('Overview: this month against the plan as bars with the marks, and an alert to acknowledge', async () => {
    await expectHeading(page, 'Overview');
    await expectText(page, stack.user.plan);
    await expectText(page, `${seededChats} requests of ${planRequestLimit} requests`);
    const requests = page.getByRole('meter', { name: 'Requests used' });
    expect(await requests.getAttribute('aria-valuetext')).toBe('83.3 %'); // 10 of 12
    for (const name of ['Tokens used', 'Cost used']) await page.getByRole('meter', { name }).waitFor();
    for (const mark of ['80%', '90%', '100%']) await expectText(page, mark);
    await screenshot(page, 'user-overview');

    // The seeded chats crossed the 80 % mark: one alert, which the user acknowledges.
    const acknowledge = page.getByRole('button', { name: 'Acknowledge' });
    await acknowledge.first().waitFor();
    await expectText(page, /used 80 % of the monthly request limit/);
    const before = await acknowledge.count();
    await acknowledge.first().click();
    await expectText(page, /^Acknowledged /);
    expect(await acknowledge.count()).toBe(before - 1);
  });

  it('Usage: cost per day and per model as charts, and the recent requests with the fallback', async () => {
    await openPage(page, 'Usage');
    await page.getByRole('figure', { name: 'Cost per day chart' }).waitFor();
    await page.getByRole('figure', { name: 'Cost per provider and model chart' }).waitFor();
    // Usage rows are written by the worker seconds after a request; the page refetches until they are there.
    // Besides the seeded chats, the worker's website analysis made LLM calls for the user (recorded, not counted).
    await expect
      .poll(async () => (await tableRows('Recent requests')).length, { timeout: 60_000 })
      .toBeGreaterThanOrEqual(seededChats);
    const rows = await tableRows('Recent requests');
    // The first seeded chat fell over from openai (failed twice) to groq in 3 attempts; the others: openai at once.
    const fallback = rows.filter((cells) => cells.includes('Yes'));
    expect(fallback).toHaveLength(1);
    expect(fallback[0]).toEqual(expect.arrayContaining(['groq', '3']));
    expect(
      rows.filter((cells) => cells.includes('openai') && cells.includes('No')).length,
    ).toBeGreaterThanOrEqual(seededChats - 1);
    for (const cells of rows) expect(cells.join(' ')).toMatch(/\d+ ms .*tokens .*\$/);
    // Times are the browser's: the newest request is a few minutes old at most, in Berlin's hours and minutes.
    const clock = new Intl.DateTimeFormat('en-GB', {
      timeZone: browserTimeZone,
      hour: '2-digit',
      minute: '2-digit',
    });
    const recentMinutes = Array.from({ length: 10 }, (_, age) => clock.format(Date.now() - age * 60_000));
    expect(recentMinutes).toContain(rows[0]![0]!.slice(-5));
    const models = await tableRows('Cost per provider and model');
    expect(models.map((cells) => cells.slice(0, 2).join(' / ')).sort()).toEqual(
      expect.arrayContaining(['openai / gpt-4o-mini', 'groq / llama-3.3-70b-versatile']),
    );
    await screenshot(page, 'user-usage');
  });

  it('Playground: a streamed chat shows its words as they come and names the provider that answered', async () => {
    await openPage(page, 'Playground');
    await page.getByLabel('Message').fill('What do you sell?');
    await page.getByRole('button', { name: 'Send' }).click();
    // The first words show while the rest is still on its way (the chat still offers to stop it).
    const stop = page.getByRole('button', { name: 'Stop' });
    await page.getByText(/^Hello from/).waitFor();
    expect(await stop.isVisible()).toBe(true);
    await expectText(page, 'Answered by openai');
    await stop.waitFor({ state: 'detached' });
    await expectText(page, 'Hello from the openai simulator. You asked: What do you sell?');
    await expectText(page, 'Provider: openai');
    const headers = await page.getByRole('definition').allInnerTexts();
    const names = await page.getByRole('term').allInnerTexts();
    expect(names).toEqual(
      expect.arrayContaining(['x-gateway-provider', 'x-gateway-model', 'x-gateway-attempts']),
    );
    expect(headers).toContain('gpt-4o-mini');
    await expectText(page, /\d+ tokens in · \d+ tokens out/);
    await screenshot(page, 'user-playground');
  });

  it('Monitoring: "Run now" adds a log and the analysis says what changed; a paused task waits for resume', async () => {
    await openPage(page, 'Monitoring');
    await expectText(page, stack.user.websiteUrl);
    await expectText(page, 'Website analysis');
    const taskRow = page
      .getByRole('row')
      .filter({ hasText: stack.user.websiteUrl })
      .filter({ has: page.getByRole('button', { name: 'Run now' }) });
    await taskRow.getByRole('button', { name: 'Logs', exact: true }).click();
    const logs = page.getByRole('region', { name: 'Logs', exact: true });
    await expect.poll(() => logs.getByRole('row').filter({ hasText: 'success' }).count()).toBe(1);
    await screenshot(page, 'user-monitoring');

    await taskRow.getByRole('button', { name: 'Run now' }).click();
    await expectText(page, 'Run queued');
    await expect
      .poll(() => logs.getByRole('row').filter({ hasText: 'success' }).count(), { timeout: 90_000 })
      .toBe(2);
    // The site's headline changes on every visit, so the second analysis reports it.
    const analysis = page.getByRole('region', { name: 'Latest analysis' });
    await analysis.getByText('What changed').waitFor({ timeout: 30_000 });
    expect(
      await analysis
        .getByRole('row')
        .filter({ hasText: /edition 1/ })
        .count(),
    ).toBeGreaterThan(0);
    await screenshot(page, 'user-monitoring-after-run');

    // A paused task cannot be run until it is resumed.
    await taskRow.getByRole('button', { name: 'Pause' }).click();
    await taskRow.getByText('paused', { exact: true }).first().waitFor();
    expect(await taskRow.getByRole('button', { name: 'Run now' }).isDisabled()).toBe(true);
    await taskRow.getByRole('button', { name: 'Resume' }).click();
    await taskRow.getByText('active', { exact: true }).waitFor();
    expect(await taskRow.getByRole('button', { name: 'Run now' }).isEnabled()).toBe(true);
  });

  it('Keys & providers: add an own key, test it, remove it; move a provider up the fallback order', async () => {
    await openPage(page, 'Keys & providers');
    await expectText(page, 'No provider keys of your own.');
    const form = page.getByRole('form', { name: 'Add a provider key' });
    await form.getByRole('combobox').selectOption('groq');
    await form.getByLabel('Provider API key').fill('gsk-own-key-4321');
    await form.getByRole('button', { name: 'Add key' }).click();
    const keyRow = page.getByRole('row').filter({ hasText: '…4321' });
    await keyRow.waitFor();
    await keyRow.getByRole('button', { name: 'Test' }).click();
    await keyRow.getByText(/Works · \d+ ms/).waitFor();
    await screenshot(page, 'user-keys');

    page.once('dialog', (dialog) => void dialog.accept());
    await keyRow.getByRole('button', { name: 'Remove' }).click();
    await expectText(page, 'No provider keys of your own.');

    const order = page.getByRole('list', { name: 'Fallback order' });
    await order.getByRole('listitem').first().waitFor();
    expect(await order.getByRole('listitem').first().innerText()).toContain('openai');
    await page.getByRole('button', { name: 'Move groq up' }).click();
    await page.getByRole('button', { name: 'Save preferences' }).click();
    await expectText(page, 'Saved');
    await page.reload();
    await order.getByRole('listitem').first().waitFor();
    expect(await order.getByRole('listitem').first().innerText()).toContain('groq');
  });

  it('is refused the queue dashboard', async () => {
    await page.goto(`${stack.gatewayUrl}/admin/queues`);
    await expectHeading(page, 'Queue dashboard: operators only');
    await screenshot(page, 'user-queues-refused');
  });
});
