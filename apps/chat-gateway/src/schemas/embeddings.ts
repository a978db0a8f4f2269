import { Type, type Static } from '@sinclair/typebox';

/** Most inputs in one request (OpenAI's own limit). */
export const maxEmbeddingInputs = 2048;

/** Most characters of text across all inputs of one request (about OpenAI's 300,000-token request limit). */
export const maxEmbeddingCharacters = 1_200_000;

/** Most token ids across all inputs of one request (OpenAI's request limit). */
export const maxEmbeddingTokens = 300_000;

/**
 * `POST /v1/embeddings` body (OpenAI-compatible). `input` is checked by the route (`readEmbeddingInput`), not by
 * the schema, so a wrong shape gets a 400 that names the exact element rather than the first branch of a union.
 */
export const EmbeddingRequestSchema = Type.Object(
  {
    input: Type.Unknown({
      description:
        `A string, an array of strings, an array of token ids, or an array of token-id arrays (token ids only for ` +
        `models served by OpenAI-wire providers). At most ${maxEmbeddingInputs} inputs and ` +
        `${maxEmbeddingCharacters} characters (or ${maxEmbeddingTokens} token ids) in all; no empty input.`,
      examples: ['The quick brown fox', ['first document', 'second document']],
    }),
    model: Type.String({
      minLength: 1,
      description:
        'An embedding model (`text-embedding-3-small`) or `provider/model`. Fallback only moves to another ' +
        'deployment of the same model, never to another model (its vectors would not be comparable).',
    }),
    dimensions: Type.Optional(
      Type.Integer({
        minimum: 1,
        maximum: 65_536,
        description: 'Vector length, for models that can shorten theirs.',
      }),
    ),
    encoding_format: Type.Optional(
      Type.Unsafe<'float' | 'base64'>({
        type: 'string',
        enum: ['float', 'base64'],
        description: '`float` (default) or `base64` (little-endian float32 bytes).',
      }),
    ),
    user: Type.Optional(Type.String({ maxLength: 256 })),
  },
  {
    additionalProperties: true,
    examples: [{ model: 'text-embedding-3-small', input: ['first document', 'second document'] }],
  },
);
export type EmbeddingRequestBody = Static<typeof EmbeddingRequestSchema>;

/** The OpenAI embeddings response. */
export const EmbeddingListSchema = Type.Object(
  {
    object: Type.Literal('list'),
    data: Type.Array(
      Type.Object({
        object: Type.Literal('embedding'),
        index: Type.Integer(),
        embedding: Type.Union([Type.Array(Type.Number()), Type.String()], {
          description: 'Floats, or base64 of little-endian float32 with `encoding_format: base64`.',
        }),
      }),
    ),
    model: Type.String({ description: 'The model that answered (the one requested).' }),
    usage: Type.Object({ prompt_tokens: Type.Integer(), total_tokens: Type.Integer() }),
  },
  {
    examples: [
      {
        object: 'list',
        data: [{ object: 'embedding', index: 0, embedding: [0.0023, -0.0093, 0.0158] }],
        model: 'text-embedding-3-small',
        usage: { prompt_tokens: 5, total_tokens: 5 },
      },
    ],
  },
);
