-- List prices of the embedding models the gateway serves by default (USD per 1M input tokens; embeddings have no
-- output tokens). Gemini's text-embedding-004 is free of charge on the Gemini API. Re-runnable: a row that exists
-- for (provider, model, effective_from) is left as it is.
INSERT INTO api_provider_pricing
  (provider, model, input_price_per_million, output_price_per_million, cached_input_price_per_million, effective_from)
VALUES
  ('openai', 'text-embedding-3-small', 0.02, 0, NULL, '2025-11-01T00:00:00Z'),
  ('openai', 'text-embedding-3-large', 0.13, 0, NULL, '2025-11-01T00:00:00Z'),
  ('openai', 'text-embedding-ada-002', 0.10, 0, NULL, '2025-11-01T00:00:00Z'),
  ('gemini', 'text-embedding-004', 0, 0, NULL, '2025-11-01T00:00:00Z'),
  ('gemini', 'gemini-embedding-001', 0.15, 0, NULL, '2025-11-01T00:00:00Z'),
  ('cohere', 'embed-v4.0', 0.12, 0, NULL, '2025-11-01T00:00:00Z'),
  ('cohere', 'embed-english-v3.0', 0.10, 0, NULL, '2025-11-01T00:00:00Z'),
  ('cohere', 'embed-multilingual-v3.0', 0.10, 0, NULL, '2025-11-01T00:00:00Z')
ON CONFLICT (provider, model, effective_from) DO NOTHING;
