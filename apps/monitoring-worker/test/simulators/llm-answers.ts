import type { ParsedCall } from '@switchyard/llm/testing';

/** Answers the three website analyses with valid JSON, as a well-behaved model would. */
export function analysisAnswer(call: ParsedCall): string {
  const prompt = call.prompt;
  if (prompt.includes('writing style')) {
    return JSON.stringify({
      tone: 'warm',
      formality: 'informal',
      audience: 'home gardeners',
      readingLevel: 'general',
      summary: 'Friendly craft-focused copy.',
    });
  }
  if (prompt.includes('content patterns')) {
    return JSON.stringify({
      topics: ['garden tools'],
      formats: ['product pages'],
      recurringThemes: ['craftsmanship'],
    });
  }
  if (prompt.includes('style guidelines'))
    return JSON.stringify({ guidelines: ['Speak plainly'], avoid: ['jargon'] });
  // A correction turn ("That was not valid ...") repeats the original instruction's topic in the conversation.
  return '{}';
}
