import { desc, eq, type PlatformDatabase } from '@switchyard/db';
import { competitorAnalyses, websiteAnalyses } from '@switchyard/db/platform';
import type { JobProcessor, queueNames } from '@switchyard/jobs';
import { TaskFailureError } from '../failures.js';
import type { TaskOutcome, TaskState } from '../task-state.js';
import { analyzeContent, type AnalysisChatClient } from '../website/analyze-content.js';
import type { PageFetcher } from '../website/fetch-page.js';
import { pageChanges, type ComparableAnalysis } from '../website/page-changes.js';
import { parsePage } from '../website/parse-page.js';
import { runMonitoringTask, type MonitoringJobResult } from './run-monitoring-task.js';

const dayMs = 24 * 3_600_000;

function comparable(data: Record<string, unknown> | null, style: Record<string, unknown> | null, content: Record<string, unknown> | null): ComparableAnalysis {
  return {
    title: data?.title as string | undefined,
    metaDescription: data?.metaDescription as string | undefined,
    h1: (data?.headings as { h1?: string[] } | undefined)?.h1,
    canonical: data?.canonical as string | undefined,
    robots: data?.robots as string | undefined,
    wordCount: data?.wordCount as number | undefined,
    linkCount: (data?.links as { total?: number } | undefined)?.total,
    status: data?.status as number | undefined,
    tone: style?.tone as string | undefined,
    audience: style?.audience as string | undefined,
    topics: content?.topics as string[] | undefined,
  };
}

/** Dependencies of the website analysis processor. */
export interface WebsiteAnalysisProcessorDependencies {
  taskState: TaskState;
  platform: PlatformDatabase;
  fetcher: PageFetcher;
  llm: AnalysisChatClient;
  now?: () => Date;
}

/**
 * Analyses one website: guarded fetch, HTML facts, three LLM analyses, and what changed since the last run,
 * stored in `website_analyses` (the user's own site) or `competitor_analyses`.
 */
export function createWebsiteAnalysisProcessor(dependencies: WebsiteAnalysisProcessorDependencies): JobProcessor<typeof queueNames.websiteAnalysis, MonitoringJobResult> {
  const { taskState, platform, fetcher, llm } = dependencies;
  const now = dependencies.now ?? (() => new Date());

  async function fetchAndAnalyse(url: string, signal: AbortSignal) {
    const page = await fetcher.fetch(url, signal);
    if (page.status >= 400) {
      throw new TaskFailureError(`the website answered ${page.status}`, page.status >= 500 || page.status === 429 ? 'network_error' : 'config_error');
    }
    const facts = parsePage(page.body, page.finalUrl);
    return { page, facts, analyses: await analyzeContent(llm, page.finalUrl, facts, signal) };
  }

  return (job, payload, signal) =>
    runMonitoringTask(taskState, 'website_analysis', job, payload, signal, async (task): Promise<TaskOutcome> => {
      const url = String(task.website_url);
      const competitor = task.task_type === 'competitor';
      const table = competitor ? competitorAnalyses : websiteAnalyses;
      // A plain read, run while the page is fetched and analysed; the success statement needs its answer.
      const previousRead = platform
        .select({ fetchedData: table.fetchedData, styleAnalysis: table.styleAnalysis, contentAnalysis: table.contentAnalysis, analysedAt: table.analysedAt })
        .from(table)
        .where(eq(table.taskId, task.id))
        .orderBy(desc(table.analysedAt))
        .limit(1)
        .then(([row]) => row);
      const [{ page, facts, analyses }, previous] = await Promise.all([fetchAndAnalyse(url, signal), previousRead]);
      const fetchedData = {
        status: page.status,
        finalUrl: page.finalUrl,
        redirects: page.redirects,
        bytes: page.bytes,
        truncated: page.truncated,
        contentType: page.contentType,
        timings: page.timings,
        ...facts,
      };
      const changes = pageChanges(
        previous === undefined ? undefined : comparable(previous.fetchedData, previous.styleAnalysis, previous.contentAnalysis),
        comparable(fetchedData, analyses.writingStyle, analyses.contentPatterns),
        previous?.analysedAt,
      );
      const frequencyDays = Number(task.frequency_days) || 10;
      return {
        status: 'success',
        resultData: {
          url: page.finalUrl,
          status: page.status,
          bytes: page.bytes,
          answeredBy: analyses.answeredBy,
          changedFields: Object.keys(changes.changed),
          firstAnalysis: changes.first,
        },
        nextCheckAt: new Date(now().getTime() + frequencyDays * dayMs),
        result: {
          table: competitor ? 'competitor_analyses' : 'website_analyses',
          idKey: 'analysisId',
          row: {
            task_id: task.id,
            user_id: task.user_id,
            url,
            fetched_data: fetchedData,
            style_analysis: analyses.writingStyle,
            content_analysis: analyses.contentPatterns,
            guidelines_analysis: analyses.styleGuidelines,
            changes,
          },
        },
      };
    });
}
