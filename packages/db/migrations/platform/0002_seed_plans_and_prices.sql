-- Seed data, version 2025-11: the four plans and per-model prices (USD per 1M tokens) of the default models.
-- Idempotent: plans are upserted by name; a price row is keyed by (provider, model, effective_from), so a new
-- price is a new seed migration with a later effective_from, never an edit of this file.
INSERT INTO subscription_plans
  (name, description, monthly_price, yearly_price, monthly_request_limit, monthly_token_limit, monthly_cost_cap, sort_order, features)
VALUES
  ('Free', 'Try the gateway: 100 calls a month.', 0, 0, 100, 0, 0, 0, '["chat", "fallback"]'),
  ('Basic', 'For individuals: usage up to a $45 monthly provider cost.', 29, 290, 0, 0, 45, 1, '["chat", "fallback", "monitoring"]'),
  ('Pro', 'For teams: 5,000 calls and up to a $150 monthly provider cost.', 79, 790, 5000, 0, 150, 2, '["chat", "fallback", "monitoring", "competitor_analysis"]'),
  ('Enterprise', 'Unlimited calls up to a $500 monthly provider cost.', 199, 1990, 0, 0, 500, 3, '["chat", "fallback", "monitoring", "competitor_analysis", "priority_support"]')
ON CONFLICT (name) DO UPDATE SET
  description = EXCLUDED.description,
  monthly_price = EXCLUDED.monthly_price,
  yearly_price = EXCLUDED.yearly_price,
  monthly_request_limit = EXCLUDED.monthly_request_limit,
  monthly_token_limit = EXCLUDED.monthly_token_limit,
  monthly_cost_cap = EXCLUDED.monthly_cost_cap,
  sort_order = EXCLUDED.sort_order,
  features = EXCLUDED.features;
--> statement-breakpoint
INSERT INTO api_provider_pricing
  (provider, model, input_price_per_million, output_price_per_million, cached_input_price_per_million, effective_from)
VALUES
  ('gemini', 'gemini-2.5-flash', 0.30, 2.50, 0.075, '2025-11-01T00:00:00Z'),
  ('gemini', 'gemini-2.5-pro', 1.25, 10.00, 0.31, '2025-11-01T00:00:00Z'),
  ('openai', 'gpt-4o-mini', 0.15, 0.60, 0.075, '2025-11-01T00:00:00Z'),
  ('openai', 'gpt-4o', 2.50, 10.00, 1.25, '2025-11-01T00:00:00Z'),
  ('anthropic', 'claude-haiku-4-5', 1.00, 5.00, 0.10, '2025-11-01T00:00:00Z'),
  ('anthropic', 'claude-sonnet-4-5', 3.00, 15.00, 0.30, '2025-11-01T00:00:00Z'),
  ('groq', 'llama-3.3-70b-versatile', 0.59, 0.79, NULL, '2025-11-01T00:00:00Z'),
  ('groq', 'llama-3.1-8b-instant', 0.05, 0.08, NULL, '2025-11-01T00:00:00Z'),
  ('cohere', 'command-a-03-2025', 2.50, 10.00, NULL, '2025-11-01T00:00:00Z'),
  ('local', 'local-echo-1', 0, 0, 0, '2025-11-01T00:00:00Z')
ON CONFLICT (provider, model, effective_from) DO NOTHING;
