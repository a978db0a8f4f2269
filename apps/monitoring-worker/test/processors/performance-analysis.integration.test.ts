import { sql } from '@switchyard/db';
import {
  performanceAnomalies,
  performanceBaselines,
  systemPerformanceMetrics,
} from '@switchyard/db/platform';
import { createTestDatabases, type TestDatabases } from '@switchyard/db/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { analyzePerformance } from '../../src/performance/analyze-performance.js';

let databases: TestDatabases;
const now = new Date('2026-11-20T12:00:00Z');
const minuteMs = 60_000;

beforeAll(async () => {
  databases = await createTestDatabases();
});

afterAll(async () => {
  await databases?.drop();
});

/** Six days of steady latency samples around 100 ms (one every 30 minutes), for one tag set. */
async function seedHistory(metricName: string, tags: Record<string, string>) {
  const rows = Array.from({ length: 288 }, (_unused, index) => ({
    metricName,
    tags,
    value: 100 + (index % 5) * 2 - 4,
    timestamp: new Date(now.getTime() - 7 * 86_400_000 + 3_600_000 + index * 30 * minuteMs),
  }));
  await databases.platform.db.insert(systemPerformanceMetrics).values(rows);
}

/** Samples at `[minutesBeforeNow, value]`. */
async function addRecent(metricName: string, tags: Record<string, string>, samples: Array<[number, number]>) {
  await databases.platform.db.insert(systemPerformanceMetrics).values(
    samples.map(([minutesAgo, value]) => ({
      metricName,
      tags,
      value,
      timestamp: new Date(now.getTime() - minutesAgo * minuteMs),
    })),
  );
}

describe('performance analysis', () => {
  it('builds baselines only with 100 samples, opens deduplicated anomalies, and resolves them when the metric recovers', async () => {
    await seedHistory('llm.latency_ms', { provider: 'openai', model: 'gpt-4o-mini' });
    await databases.platform.db.insert(systemPerformanceMetrics).values(
      Array.from({ length: 50 }, (_unused, index) => ({
        metricName: 'rare.metric',
        value: index,
        timestamp: new Date(now.getTime() - index * minuteMs),
      })),
    );
    await addRecent('llm.latency_ms', { provider: 'openai', model: 'gpt-4o-mini' }, [
      [50, 100],
      [40, 100],
      [10, 130],
      [1, 400],
    ]);

    const first = await analyzePerformance(databases.platform.db, { windowMinutes: 60, now });
    expect(first.baselines).toBe(1);
    const baselines = await databases.platform.db.select().from(performanceBaselines);
    expect(baselines).toMatchObject([
      {
        metricName: 'llm.latency_ms',
        tagsKey: 'model=gpt-4o-mini,provider=openai',
        window: '7d',
        sampleCount: 292,
      },
    ]);

    const open = await databases.platform.db.select().from(performanceAnomalies);
    expect(open.map((anomaly) => [anomaly.anomalyType, anomaly.severity]).sort()).toEqual(
      [
        ['spike', 'high'],
        ['sustained', 'medium'],
        ['threshold_exceeded', 'critical'],
        ['trend', 'medium'],
      ].sort(),
    );

    // Still anomalous an hour later: the same anomalies stay open and are refreshed, not duplicated.
    const later = new Date(now.getTime() + 30 * minuteMs);
    await databases.platform.db.insert(systemPerformanceMetrics).values({
      metricName: 'llm.latency_ms',
      tags: { provider: 'openai', model: 'gpt-4o-mini' },
      value: 420,
      timestamp: new Date(later.getTime() - minuteMs),
    });
    const second = await analyzePerformance(databases.platform.db, { windowMinutes: 60, now: later });
    expect(second.anomaliesOpened).toBe(0);
    expect(await databases.platform.db.select().from(performanceAnomalies)).toHaveLength(open.length);

    // Back to normal: every open anomaly of the metric is resolved.
    const recovered = new Date(now.getTime() + 3 * 3_600_000);
    await databases.platform.db.insert(systemPerformanceMetrics).values(
      [100, 99, 101, 100].map((value, index) => ({
        metricName: 'llm.latency_ms',
        tags: { provider: 'openai', model: 'gpt-4o-mini' },
        value,
        timestamp: new Date(recovered.getTime() - (40 - index * 10) * minuteMs),
      })),
    );
    const third = await analyzePerformance(databases.platform.db, { windowMinutes: 60, now: recovered });
    expect(third.anomaliesResolved).toBe(open.length);
    const stillOpen = await databases.platform.db.execute(
      sql`select count(*)::int as count from performance_anomalies where resolved_at is null`,
    );
    expect(stillOpen.rows[0]).toEqual({ count: 0 });
  });
});
