/** Statistics of a metric over the baseline window. */
export interface BaselineStats {
  sampleCount: number;
  avg: number;
  p50: number;
  p95: number;
  p99: number;
  min: number;
  max: number;
  stddev: number;
}

/** The recent window of a metric: its last value, average, and averages of the first and second halves. */
export interface WindowStats {
  sampleCount: number;
  latest: number;
  avg: number;
  firstHalfAvg: number | undefined;
  secondHalfAvg: number | undefined;
}

/** An anomaly type this detector raises (a subset of `performance_anomalies.anomaly_type`). */
export type DetectedAnomalyType = 'threshold_exceeded' | 'spike' | 'sustained' | 'trend';

/** One anomaly found for a metric and tag set. */
export interface DetectedAnomaly {
  anomalyType: DetectedAnomalyType;
  severity: 'medium' | 'high' | 'critical';
  observed: number;
  expected: number;
  details: Record<string, unknown>;
}

/** Thresholds of the anomaly rules; each compares the window with the metric's baseline. */
export const anomalyRules = {
  /** The latest value more than this many standard deviations above the baseline average is high... */
  highStandardDeviations: 2,
  /** ...and more than this many, critical. */
  criticalStandardDeviations: 3,
  /** The latest value above this multiple of the baseline p99 is a spike. */
  spikeOverP99: 1.5,
  /** The window average above this multiple of the baseline average is sustained. */
  sustainedOverAverage: 1.3,
  /** The second half of the window averaging more than this fraction above its first half is a trend. */
  trendRise: 0.2,
} as const;

/**
 * Compares a window with its baseline. Every rule looks for "higher than normal": the metrics are latencies,
 * error counts and costs, where lower is never an incident.
 */
export function detectAnomalies(baseline: BaselineStats, window: WindowStats): DetectedAnomaly[] {
  const found: DetectedAnomaly[] = [];
  if (window.sampleCount === 0) return found;
  if (baseline.stddev > 0) {
    const deviations = (window.latest - baseline.avg) / baseline.stddev;
    if (deviations > anomalyRules.highStandardDeviations) {
      found.push({
        anomalyType: 'threshold_exceeded',
        severity: deviations > anomalyRules.criticalStandardDeviations ? 'critical' : 'high',
        observed: window.latest,
        expected: baseline.avg,
        details: { standardDeviations: Number(deviations.toFixed(2)), stddev: baseline.stddev },
      });
    }
  }
  if (baseline.p99 > 0 && window.latest > anomalyRules.spikeOverP99 * baseline.p99) {
    found.push({
      anomalyType: 'spike',
      severity: 'high',
      observed: window.latest,
      expected: baseline.p99,
      details: { ratioToP99: Number((window.latest / baseline.p99).toFixed(2)) },
    });
  }
  if (baseline.avg > 0 && window.avg > anomalyRules.sustainedOverAverage * baseline.avg) {
    found.push({
      anomalyType: 'sustained',
      severity: 'medium',
      observed: window.avg,
      expected: baseline.avg,
      details: {
        ratioToAverage: Number((window.avg / baseline.avg).toFixed(2)),
        windowSamples: window.sampleCount,
      },
    });
  }
  const { firstHalfAvg, secondHalfAvg } = window;
  if (
    firstHalfAvg !== undefined &&
    secondHalfAvg !== undefined &&
    firstHalfAvg > 0 &&
    secondHalfAvg > (1 + anomalyRules.trendRise) * firstHalfAvg
  ) {
    found.push({
      anomalyType: 'trend',
      severity: 'medium',
      observed: secondHalfAvg,
      expected: firstHalfAvg,
      details: { rise: Number((secondHalfAvg / firstHalfAvg - 1).toFixed(3)) },
    });
  }
  return found;
}
