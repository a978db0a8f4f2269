import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestGateway, type TestGateway } from '../helper.js';

const indexHtml = '<!doctype html><title>Switchyard console</title><div id="root"></div>';
const script = 'console.log("console bundle");';

describe('the web console at /console', () => {
  let dist: string;
  let gateway: TestGateway;

  beforeAll(async () => {
    dist = await mkdtemp(join(tmpdir(), 'console-dist-'));
    await mkdir(join(dist, 'assets'));
    await writeFile(join(dist, 'index.html'), indexHtml);
    await writeFile(join(dist, 'assets', 'index-3f9a1c.js'), script);
    gateway = await createTestGateway({ CONSOLE_DIST_DIR: dist });
  });
  afterAll(async () => {
    await gateway.close();
    await rm(dist, { recursive: true, force: true });
  });

  it('serves the sign-in page without a key, revalidated on every load, scripts from this origin only', async () => {
    for (const url of ['/console/', '/console', '/console/usage']) {
      const page = await gateway.app.inject({ url });
      expect(page.statusCode, url).toBe(200);
      expect(page.headers['content-type']).toContain('text/html');
      expect(page.headers['cache-control']).toBe('no-cache');
      expect(page.headers['content-security-policy']).toContain("script-src 'self'");
      expect(page.body).toBe(indexHtml);
    }
  });

  it('serves the fingerprinted assets, cached for good', async () => {
    const asset = await gateway.app.inject({ url: '/console/assets/index-3f9a1c.js' });
    expect(asset.statusCode).toBe(200);
    expect(asset.headers['content-type']).toContain('javascript');
    expect(asset.headers['cache-control']).toContain('immutable');
    expect(asset.body).toBe(script);
  });

  it("answers index.html for the console's own page paths, so a reload keeps the page", async () => {
    for (const url of ['/console/usage', '/console/monitoring/tasks?id=1', '/console/assets/gone.js']) {
      const page = await gateway.app.inject({ url });
      expect(page.statusCode, url).toBe(200);
      expect(page.body, url).toBe(indexHtml);
    }
  });

  it('never serves a file outside the build', async () => {
    const escape = await gateway.app.inject({ url: '/console/../package.json' });
    expect(escape.body).not.toContain('@switchyard/chat-gateway');
    const encoded = await gateway.app.inject({ url: '/console/%2e%2e/%2e%2e/package.json' });
    expect(encoded.body).not.toContain('@switchyard');
  });

  it('keeps API errors in the error envelope', async () => {
    const post = await gateway.app.inject({ method: 'POST', url: '/console/usage' });
    expect(post.statusCode).toBe(404);
    expect(post.json()).toMatchObject({ error: { code: 'not_found' } });
  });
});

describe('the web console when it was not built', () => {
  let gateway: TestGateway;

  beforeAll(async () => {
    gateway = await createTestGateway({ CONSOLE_DIST_DIR: join(tmpdir(), 'no-console-build-here') });
  });
  afterAll(() => gateway.close());

  it('answers 503 naming the build command, while the API keeps serving', async () => {
    for (const url of ['/console', '/console/', '/console/usage']) {
      const page = await gateway.app.inject({ url });
      expect(page.statusCode, url).toBe(503);
      expect(page.json(), url).toMatchObject({
        error: {
          code: 'console_not_built',
          message: expect.stringContaining('pnpm --filter @switchyard/console build'),
        },
      });
    }
    expect((await gateway.app.inject({ url: '/health' })).statusCode).toBe(200);
  });
});
