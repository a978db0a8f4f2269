import type { JobProcessor, queueNames } from '@switchyard/jobs';
import { TaskFailureError } from '../failures.js';
import {
  toDate,
  type LatestResultQuery,
  type TaskOutcome,
  type TaskRow,
  type TaskState,
} from '../task-state/index.js';
import { analyzeContent, type AnalysisChatClient } from '../website/analyze-content.js';
import type { PageFetcher } from '../website/fetch-page.js';
import { pageChanges, type ComparableAnalysis } from '../website/page-changes.js';
import { parsePage } from '../website/parse-page.js';
import { runMonitoringTask, type MonitoringJobResult } from './run-monitoring-task.js';

const dayMs = 24 * 3_600_000;

// The previous analysis, read by the statement that begins the attempt. A task's analyses are all in the table
// of its type; searching both costs one more index probe and keeps task-state free of task-type rules.
const previousAnalysis: LatestResultQuery = {
  tables: ['website_analyses', 'competitor_analyses'],
  columns: ['fetched_data', 'style_analysis', 'content_analysis'],
  orderBy: 'analysed_at',
};

type JsonObject = Record<string, unknown>;

function comparable(
  data: JsonObject | null | undefined,
  style: JsonObject | null | undefined,
  content: JsonObject | null | undefined,
): ComparableAnalysis {
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
  fetcher: PageFetcher;
  llm: AnalysisChatClient;
  now?: () => Date;
}

/**
 * Analyses one website: guarded fetch, HTML facts, three LLM analyses, and what changed since the last run,
 * stored in `website_analyses` (the user's own site) or `competitor_analyses`.
 */
export function createWebsiteAnalysisProcessor(
  dependencies: WebsiteAnalysisProcessorDependencies,
): JobProcessor<typeof queueNames.websiteAnalysis, MonitoringJobResult> {
  const { taskState, fetcher, llm } = dependencies;
  const now = dependencies.now ?? (() => new Date());

  async function fetchAndAnalyse(url: string, userId: string, signal: AbortSignal) {
    const page = await fetcher.fetch(url, signal);
    if (page.status >= 400) {
      throw new TaskFailureError(
        `the website answered ${page.status}`,
        page.status >= 500 || page.status === 429 ? 'network_error' : 'config_error',
      );
    }
    const facts = parsePage(page.body, page.finalUrl);
    return { page, facts, analyses: await analyzeContent(llm, page.finalUrl, facts, signal, userId) };
  }

  /** The task's own work; `previous` is its latest analysis (a snake_case row), read when the attempt began. */
  async function analyseWebsite(
    task: TaskRow,
    previous: JsonObject | undefined,
    signal: AbortSignal,
  ): Promise<TaskOutcome> {
    const url = String(task.website_url);
    const competitor = task.task_type === 'competitor';
    // The task's owner pays for (or has in their plan) the LLM calls of its analysis.
    const { page, facts, analyses } = await fetchAndAnalyse(url, String(task.user_id), signal);
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
      previous === undefined
        ? undefined
        : comparable(
            previous.fetched_data as JsonObject | null,
            previous.style_analysis as JsonObject | null,
            previous.content_analysis as JsonObject | null,
          ),
      comparable(fetchedData, analyses.writingStyle, analyses.contentPatterns),
      toDate(previous?.analysed_at),
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
  }

  return (job, payload, signal) =>
    runMonitoringTask(
      taskState,
      'website_analysis',
      job,
      payload,
      signal,
      (task, _payload, jobSignal, previous) => analyseWebsite(task, previous, jobSignal),
      previousAnalysis,
    );
}
