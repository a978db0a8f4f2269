import type { EmbeddingInput } from '@switchyard/llm';
import { InvalidValueError, withParam } from '../errors.js';
import { maxEmbeddingCharacters, maxEmbeddingInputs, maxEmbeddingTokens } from '../schemas/embeddings.js';

const isTokenId = (value: unknown): value is number =>
  typeof value === 'number' && Number.isInteger(value) && value >= 0;

function invalid(message: string, param = 'input'): Error {
  return withParam(new InvalidValueError(message), param);
}

/**
 * `input` of `POST /v1/embeddings` as the llm client takes it: a string, strings, one token-id array, or token-id
 * arrays (OpenAI's four shapes), within the request limits. Anything else is a 400 naming the offending element.
 */
export function readEmbeddingInput(input: unknown): { input: EmbeddingInput; tokens: boolean } {
  if (typeof input === 'string') {
    if (input.length === 0) throw invalid('`input` must not be an empty string.');
    if (input.length > maxEmbeddingCharacters)
      throw invalid(`\`input\` is longer than ${maxEmbeddingCharacters} characters.`);
    return { input: [input], tokens: false };
  }
  if (!Array.isArray(input))
    throw invalid(
      input === undefined
        ? '`input` is required: a string, an array of strings, or an array of token-id arrays.'
        : '`input` must be a string, an array of strings, or an array of token-id arrays.',
    );
  if (input.length === 0) throw invalid('`input` must not be an empty array.');
  if (input.length > maxEmbeddingInputs)
    throw invalid(
      `\`input\` has ${input.length} items; at most ${maxEmbeddingInputs} are accepted per request.`,
    );
  // One token-id array is one input, as OpenAI reads it.
  if (input.every(isTokenId)) {
    if (input.length > maxEmbeddingTokens)
      throw invalid(`\`input\` has more than ${maxEmbeddingTokens} tokens.`);
    return { input: [input], tokens: true };
  }
  if (typeof input[0] === 'string') {
    let characters = 0;
    for (const [index, item] of input.entries()) {
      if (typeof item !== 'string')
        throw invalid(`\`input[${index}]\` must be a string like the other items.`, `input[${index}]`);
      if (item.length === 0) throw invalid(`\`input[${index}]\` must not be empty.`, `input[${index}]`);
      characters += item.length;
    }
    if (characters > maxEmbeddingCharacters)
      throw invalid(
        `\`input\` holds ${characters} characters; at most ${maxEmbeddingCharacters} are accepted per request.`,
      );
    return { input: input as string[], tokens: false };
  }
  let tokens = 0;
  for (const [index, item] of input.entries()) {
    if (!Array.isArray(item) || item.length === 0 || !item.every(isTokenId))
      throw invalid(
        `\`input[${index}]\` must be a non-empty array of token ids (non-negative integers) like the other items.`,
        `input[${index}]`,
      );
    tokens += item.length;
  }
  if (tokens > maxEmbeddingTokens)
    throw invalid(
      `\`input\` holds ${tokens} tokens; at most ${maxEmbeddingTokens} are accepted per request.`,
    );
  return { input: input as number[][], tokens: true };
}
