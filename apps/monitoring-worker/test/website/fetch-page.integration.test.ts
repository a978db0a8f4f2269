import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BlockedDestinationError } from '@switchyard/net';
import { createPageFetcher, type PageFetcher } from '../../src/website/fetch-page.js';
import type { LocalServer } from '../simulators/http-server.js';
import { startWebsiteServer } from '../simulators/website-server.js';

let site: LocalServer;
let guarded: PageFetcher;
let allowlisted: PageFetcher;
const signal = new AbortController().signal;

beforeAll(async () => {
  site = await startWebsiteServer();
  guarded = createPageFetcher({ allowlist: [] });
  allowlisted = createPageFetcher({ allowlist: ['127.0.0.1'], limits: { maxRedirects: 5 } });
});

afterAll(async () => {
  await Promise.all([site?.close(), guarded?.close(), allowlisted?.close()]);
});

describe('guarded page fetch', () => {
  it.each([
    ['loopback', 'http://127.0.0.1:9/'],
    ['private 10.0.0.0/8', 'http://10.20.30.40/'],
    ['cloud metadata', 'http://169.254.169.254/latest/meta-data/'],
    ['IPv4-mapped IPv6 loopback', 'http://[::ffff:127.0.0.1]/'],
    ['a name that resolves to loopback', 'http://localhost:9/'],
  ])('refuses %s', async (_label, url) => {
    await expect(guarded.fetch(url, signal)).rejects.toThrow(BlockedDestinationError);
  });

  it('refuses the local site itself when it is not allowlisted', async () => {
    await expect(guarded.fetch(`${site.url}/`, signal)).rejects.toThrow(/127\.0\.0\.1 is a loopback address/);
  });

  it('refuses schemes other than http and https', async () => {
    await expect(guarded.fetch('file:///etc/passwd', signal)).rejects.toThrow(/only http and https/);
  });

  it('fetches an allowlisted host and follows a redirect', async () => {
    const page = await allowlisted.fetch(`${site.url}/moved`, signal);
    expect(page).toMatchObject({
      status: 200,
      finalUrl: `${site.url}/`,
      redirects: [`${site.url}/`],
      truncated: false,
    });
    expect(page.body).toContain('Tools that last a lifetime');
  });

  it.each([
    ['a private address', '/to-private', /10\.0\.0\.5 is a private address/],
    ['the metadata address', '/to-metadata', /169\.254\.169\.254 is a linkLocal address/],
  ])('refuses a redirect from an allowlisted host into %s', async (_label, path, message) => {
    await expect(allowlisted.fetch(`${site.url}${path}`, signal)).rejects.toThrow(message);
  });

  it('stops after 5 redirects', async () => {
    await expect(allowlisted.fetch(`${site.url}/loop`, signal)).rejects.toThrow(/more than 5 redirects/);
  });

  it('caps the body at 5 MB', async () => {
    const page = await allowlisted.fetch(`${site.url}/huge`, signal);
    expect(page.bytes).toBe(5 * 1024 * 1024);
    expect(page.truncated).toBe(true);
  });
});
