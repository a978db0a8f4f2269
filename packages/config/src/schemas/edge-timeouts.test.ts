import { describe, expect, it } from 'vitest';
import { gatewayAppConfig } from '../apps.js';
import { parseConfig } from '../load.js';

describe('timeouts at the edge and the quota failure policy', () => {
  it('defaults: Redis commands 500 ms, quota fails closed, every pool bounded, requests bounded', () => {
    const config = parseConfig(gatewayAppConfig, {});
    expect(config.redis.commandTimeoutMs).toBe(500);
    expect(config.gateway.quotaFailOpen).toBe(false);
    expect(config.databases.timeouts).toEqual({
      connectMs: 2_000,
      statementMs: 5_000,
      idleInTransactionMs: 10_000,
    });
    expect(config.gateway.requestTimeoutMs).toBe(30_000);
    expect(config.gateway.headersTimeoutMs).toBe(10_000);
  });

  it('reads every variable, and never lets the headers timeout exceed the request timeout', () => {
    const config = parseConfig(gatewayAppConfig, {
      REDIS_COMMAND_TIMEOUT_MS: '250',
      QUOTA_FAIL_OPEN: 'true',
      DATABASE_CONNECT_TIMEOUT_MS: '1000',
      DATABASE_STATEMENT_TIMEOUT_MS: '3000',
      DATABASE_IDLE_IN_TRANSACTION_TIMEOUT_MS: '4000',
      REQUEST_TIMEOUT_MS: '5000',
      HEADERS_TIMEOUT_MS: '9000',
    });
    expect(config.redis.commandTimeoutMs).toBe(250);
    expect(config.gateway.quotaFailOpen).toBe(true);
    expect(config.databases.timeouts).toEqual({
      connectMs: 1_000,
      statementMs: 3_000,
      idleInTransactionMs: 4_000,
    });
    expect(config.gateway.requestTimeoutMs).toBe(5_000);
    expect(config.gateway.headersTimeoutMs).toBe(5_000);
  });
});
