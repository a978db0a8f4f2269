import { describe, expect, it } from 'vitest';
import { detectAnomalies, type BaselineStats } from './detect-anomalies.js';

const baseline: BaselineStats = {
  sampleCount: 1_000,
  avg: 100,
  p50: 100,
  p95: 115,
  p99: 120,
  min: 80,
  max: 125,
  stddev: 10,
};
const calm = { sampleCount: 20, latest: 101, avg: 100, firstHalfAvg: 100, secondHalfAvg: 101 };

describe('detectAnomalies', () => {
  it('finds nothing in a normal window', () => {
    expect(detectAnomalies(baseline, calm)).toEqual([]);
  });

  it('grades a deviation above 2 standard deviations high and above 3 critical', () => {
    expect(detectAnomalies(baseline, { ...calm, latest: 125 })).toMatchObject([
      { anomalyType: 'threshold_exceeded', severity: 'high' },
    ]);
    expect(detectAnomalies(baseline, { ...calm, latest: 135 })).toMatchObject([
      { anomalyType: 'threshold_exceeded', severity: 'critical' },
    ]);
  });

  it('flags a value above 1.5 x p99 as a spike', () => {
    expect(detectAnomalies(baseline, { ...calm, latest: 181 }).map((anomaly) => anomaly.anomalyType)).toEqual(
      ['threshold_exceeded', 'spike'],
    );
  });

  it('flags a window average above 1.3 x the baseline as sustained and a 20% rise inside the window as a trend', () => {
    const types = detectAnomalies(baseline, {
      sampleCount: 20,
      latest: 100,
      avg: 131,
      firstHalfAvg: 100,
      secondHalfAvg: 121,
    }).map((anomaly) => anomaly.anomalyType);
    expect(types).toEqual(['sustained', 'trend']);
  });
});
