import { sql, type PlatformDatabase } from '@switchyard/db';
import {
  detectAnomalies,
  type BaselineStats,
  type DetectedAnomalyType,
  type WindowStats,
} from './detect-anomalies.js';

/** What one analysis run did. */
export interface PerformanceAnalysisResult {
  baselines: number;
  anomaliesOpened: number;
  anomaliesUpdated: number;
  anomaliesResolved: number;
}

/** Options of a performance analysis run. */
export interface PerformanceAnalysisOptions {
  windowMinutes: number;
  /** Fewest samples in 7 days before a baseline is trusted (default 100). */
  minimumSamples?: number;
  now?: Date;
}

// The query aliases its columns to these names, so a row is the baseline itself plus its key and window.
// Pick turns the interface into an object type, which `execute` accepts as a row (Record<string, unknown>).
type BaselineRow = Pick<BaselineStats, keyof BaselineStats> & {
  metricName: string;
  tagsKey: string;
  windowCount: number;
  windowAvg: number | null;
  windowLatest: number | null;
  firstHalfAvg: number | null;
  secondHalfAvg: number | null;
};

type OpenAnomalyRow = {
  id: string;
  metric_name: string;
  tags_key: string;
  anomaly_type: DetectedAnomalyType;
};

/**
 * Recomputes 7-day baselines per metric and tag set (only with enough samples), compares the recent window with
 * them, opens an anomaly per metric, tags and type unless one is already open (then refreshes it), and resolves
 * open anomalies whose condition no longer holds.
 */
export async function analyzePerformance(
  db: PlatformDatabase,
  options: PerformanceAnalysisOptions,
): Promise<PerformanceAnalysisResult> {
  const now = (options.now ?? new Date()).toISOString();
  const minimumSamples = options.minimumSamples ?? 100;
  const windowSeconds = options.windowMinutes * 60;

  return db.transaction(async (transaction) => {
    // One run at a time: two workers analysing at once would open the same anomaly twice.
    await transaction.execute(sql`select pg_advisory_xact_lock(hashtext('switchyard.performance-analysis'))`);
    // tags_key: sorted k=v pairs joined by commas, the canonical form performance_baselines documents.
    const computed = await transaction.execute<BaselineRow>(sql`
      with samples as (
        select metric_name, value, timestamp,
          coalesce((select string_agg(key || '=' || value, ',' order by key) from jsonb_each_text(tags)), '') as tags_key
        from system_performance_metrics
        where timestamp > ${now}::timestamptz - interval '7 days' and timestamp <= ${now}::timestamptz
      ),
      stats as (
        select metric_name, tags_key, count(*)::int as sample_count, avg(value) as avg,
          percentile_cont(0.5) within group (order by value) as p50,
          percentile_cont(0.95) within group (order by value) as p95,
          percentile_cont(0.99) within group (order by value) as p99,
          min(value) as min, max(value) as max, coalesce(stddev_pop(value), 0) as stddev
        from samples group by metric_name, tags_key having count(*) >= ${minimumSamples}
      ),
      recent as (
        select metric_name, tags_key, count(*)::int as window_count, avg(value) as window_avg,
          (array_agg(value order by timestamp desc))[1] as window_latest,
          avg(value) filter (where timestamp <= ${now}::timestamptz - make_interval(secs => ${windowSeconds / 2})) as first_half_avg,
          avg(value) filter (where timestamp > ${now}::timestamptz - make_interval(secs => ${windowSeconds / 2})) as second_half_avg
        from samples where timestamp > ${now}::timestamptz - make_interval(secs => ${windowSeconds})
        group by metric_name, tags_key
      )
      select metric_name as "metricName", tags_key as "tagsKey", stats.sample_count as "sampleCount",
        stats.avg, stats.p50, stats.p95, stats.p99, stats.min, stats.max, stats.stddev,
        coalesce(recent.window_count, 0) as "windowCount", recent.window_avg as "windowAvg",
        recent.window_latest as "windowLatest", recent.first_half_avg as "firstHalfAvg",
        recent.second_half_avg as "secondHalfAvg"
      from stats left join recent using (metric_name, tags_key)`);

    for (const row of computed.rows) {
      await transaction.execute(sql`
        insert into performance_baselines (metric_name, tags_key, "window", sample_count, avg, p50, p95, p99, min, max, stddev, computed_at)
        values (${row.metricName}, ${row.tagsKey}, '7d', ${row.sampleCount}, ${row.avg}, ${row.p50}, ${row.p95}, ${row.p99}, ${row.min}, ${row.max}, ${row.stddev}, ${now}::timestamptz)
        on conflict (metric_name, tags_key, "window") do update set sample_count = excluded.sample_count, avg = excluded.avg, p50 = excluded.p50,
          p95 = excluded.p95, p99 = excluded.p99, min = excluded.min, max = excluded.max, stddev = excluded.stddev, computed_at = excluded.computed_at`);
    }

    const open = await transaction.execute<OpenAnomalyRow>(
      sql`select id, metric_name, tags_key, anomaly_type from performance_anomalies where resolved_at is null`,
    );
    const openByKey = new Map(
      open.rows.map((row) => [`${row.metric_name}\u0000${row.tags_key}\u0000${row.anomaly_type}`, row.id]),
    );
    const stillOpen = new Set<string>();
    const analysed = new Set<string>();
    let anomaliesOpened = 0;
    let anomaliesUpdated = 0;

    for (const row of computed.rows) {
      analysed.add(`${row.metricName}\u0000${row.tagsKey}`);
      const window: WindowStats = {
        sampleCount: row.windowCount,
        latest: row.windowLatest ?? 0,
        avg: row.windowAvg ?? 0,
        firstHalfAvg: row.firstHalfAvg ?? undefined,
        secondHalfAvg: row.secondHalfAvg ?? undefined,
      };
      for (const anomaly of detectAnomalies(row, window)) {
        const key = `${row.metricName}\u0000${row.tagsKey}\u0000${anomaly.anomalyType}`;
        const details = JSON.stringify({ ...anomaly.details, lastSeenAt: now });
        const existing = openByKey.get(key);
        if (existing !== undefined) {
          stillOpen.add(existing);
          anomaliesUpdated += 1;
          await transaction.execute(sql`update performance_anomalies set observed = ${anomaly.observed}, expected = ${anomaly.expected},
            severity = ${anomaly.severity}, details = details || ${details}::jsonb where id = ${existing}`);
        } else {
          anomaliesOpened += 1;
          await transaction.execute(sql`insert into performance_anomalies (metric_name, tags_key, anomaly_type, severity, observed, expected, details, detected_at)
            values (${row.metricName}, ${row.tagsKey}, ${anomaly.anomalyType}, ${anomaly.severity}, ${anomaly.observed}, ${anomaly.expected}, ${details}::jsonb, ${now}::timestamptz)`);
        }
      }
    }

    // Resolve only what was re-examined: a metric without a fresh baseline keeps its open anomalies as they were.
    const resolvable = open.rows
      .filter((row) => analysed.has(`${row.metric_name}\u0000${row.tags_key}`) && !stillOpen.has(row.id))
      .map((row) => row.id);
    if (resolvable.length > 0) {
      await transaction.execute(
        sql`update performance_anomalies set resolved_at = ${now}::timestamptz where id in (${sql.join(
          resolvable.map((id) => sql`${id}`),
          sql`, `,
        )})`,
      );
    }
    return {
      baselines: computed.rows.length,
      anomaliesOpened,
      anomaliesUpdated,
      anomaliesResolved: resolvable.length,
    };
  });
}
