import type { ChatCompletion, ChatMessage, ChatRequest } from '@switchyard/llm';
import { z } from 'zod';
import type { PageFacts } from './parse-page.js';

/** The slice of the LLM client the analyses use; `createLlmClient` from @switchyard/llm satisfies it. */
export interface AnalysisChatClient {
  chat(
    request: ChatRequest,
    /** `userId`: whose usage the call is (the task's owner), priced and counted against their plan. */
    options: { signal: AbortSignal; waitForProbe?: boolean; userId?: string },
  ): Promise<{ completion: ChatCompletion; provider: string; model: string }>;
}

/** Writing style and audience of a site. */
export const writingStyleSchema = z.object({
  tone: z.string().min(1),
  formality: z.string().min(1),
  audience: z.string().min(1),
  readingLevel: z.string().min(1),
  summary: z.string().min(1),
});

/** Recurring content patterns of a site. */
export const contentPatternsSchema = z.object({
  topics: z.array(z.string()),
  formats: z.array(z.string()),
  recurringThemes: z.array(z.string()),
});

/** Style guidelines a writer could follow to sound like the site. */
export const styleGuidelinesSchema = z.object({
  guidelines: z.array(z.string()).min(1),
  avoid: z.array(z.string()),
});

/** The three analyses of one page. */
export interface ContentAnalyses {
  writingStyle: z.infer<typeof writingStyleSchema>;
  contentPatterns: z.infer<typeof contentPatternsSchema>;
  styleGuidelines: z.infer<typeof styleGuidelinesSchema>;
  /** Which provider/model answered each analysis. */
  answeredBy: string[];
}

/** The model answered twice with something that is not the JSON object asked for. */
export class InvalidAnalysisError extends Error {
  constructor(analysis: string, reason: string) {
    super(`the model returned an invalid ${analysis} analysis twice: ${reason}`);
    this.name = 'InvalidAnalysisError';
  }
}

const analyses = [
  {
    key: 'writingStyle',
    schema: writingStyleSchema,
    instruction:
      'Describe the writing style and audience. Answer with one JSON object with string fields: tone, formality, audience, readingLevel, summary.',
  },
  {
    key: 'contentPatterns',
    schema: contentPatternsSchema,
    instruction:
      'List recurring content patterns. Answer with one JSON object with string-array fields: topics, formats, recurringThemes.',
  },
  {
    key: 'styleGuidelines',
    schema: styleGuidelinesSchema,
    instruction:
      'Write style guidelines for new content on this site. Answer with one JSON object with string-array fields: guidelines, avoid.',
  },
] as const;

function describePage(url: string, facts: PageFacts): string {
  return [
    `URL: ${url}`,
    `Title: ${facts.title ?? '(none)'}`,
    `Description: ${facts.metaDescription ?? '(none)'}`,
    `Headings: ${[...facts.headings.h1, ...facts.headings.h2].slice(0, 15).join(' | ') || '(none)'}`,
    `Text sample: ${facts.textSample}`,
  ].join('\n');
}

function parseJsonObject(text: string): unknown {
  // Models often wrap JSON in a fenced block even when asked not to.
  const fenced = /```(?:json)?\s*([\s\S]*?)```/.exec(text);
  return JSON.parse(fenced?.[1] ?? text) as unknown;
}

/**
 * Runs the three analyses in parallel. Each answer must be a JSON object matching its schema; an invalid one
 * is asked once more with the validation problem quoted back, then fails with `InvalidAnalysisError`.
 */
export async function analyzeContent(
  llm: AnalysisChatClient,
  url: string,
  facts: PageFacts,
  signal: AbortSignal,
  /** The task's owner, whose usage the calls are. */
  userId?: string,
): Promise<ContentAnalyses> {
  const page = describePage(url, facts);
  const answeredBy: string[] = [];
  const results = await Promise.all(
    analyses.map(async (analysis) => {
      const messages: ChatMessage[] = [
        {
          role: 'system',
          content:
            'You analyse websites for a content team. Answer with a single JSON object and nothing else.',
        },
        { role: 'user', content: `${analysis.instruction}\n\n${page}` },
      ];
      let problem = '';
      for (let attempt = 1; attempt <= 2; attempt += 1) {
        const { completion, provider, model } = await llm.chat(
          {
            model: 'auto',
            messages,
            response_format: { type: 'json_object' },
            temperature: 0.2,
            max_tokens: 800,
          },
          // The three analyses run at once: behind a half-open breaker, two wait for the third's probe to
          // settle instead of being refused, so a task recovering from an outage does not fail once more.
          { signal, waitForProbe: true, userId },
        );
        answeredBy.push(`${provider}/${model}`);
        const text = completion.choices[0]?.message.content ?? '';
        try {
          const parsed = analysis.schema.safeParse(parseJsonObject(text));
          if (parsed.success) return [analysis.key, parsed.data] as const;
          problem = parsed.error.issues
            .map((issue) => `${issue.path.join('.') || 'object'}: ${issue.message}`)
            .join('; ');
        } catch {
          problem = 'not valid JSON';
        }
        messages.push(
          { role: 'assistant', content: text },
          {
            role: 'user',
            content: `That was not valid (${problem}). Answer again with only the JSON object.`,
          },
        );
      }
      throw new InvalidAnalysisError(analysis.key, problem);
    }),
  );
  const byKey = Object.fromEntries(results) as Omit<ContentAnalyses, 'answeredBy'>;
  return { ...byKey, answeredBy };
}
