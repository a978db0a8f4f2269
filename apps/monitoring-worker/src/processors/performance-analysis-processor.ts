import type { PlatformDatabase } from '@switchyard/db';
import type { JobProcessor, queueNames } from '@switchyard/jobs';
import { analyzePerformance, type PerformanceAnalysisResult } from '../performance/analyze-performance.js';

/** Hourly baselines and anomaly detection over `system_performance_metrics`. */
export function createPerformanceAnalysisProcessor(dependencies: {
  platform: PlatformDatabase;
  now?: () => Date;
}): JobProcessor<typeof queueNames.performanceAnalysis, PerformanceAnalysisResult> {
  return (_job, payload) =>
    analyzePerformance(dependencies.platform, {
      windowMinutes: payload.windowMinutes,
      now: dependencies.now?.(),
    });
}
