import { Type, type Static } from '@sinclair/typebox';

/** The six onboarding steps, in order; `PUT /api/onboarding/steps/:step` takes the number. */
export const onboardingSteps = [
  'provider_keys',
  'website',
  'competitors',
  'content_preferences',
  'platforms',
  'confirmation',
] as const;

/** Most competitors a user can watch (onboarding step 3 and `POST /api/monitoring/competitors`). */
export const maxCompetitors = 10;

const providerNames = ['auto', 'gemini', 'openai', 'anthropic', 'groq', 'cohere', 'openai-compatible'];

/** An address the worker will fetch: http(s) only (the address guard checks where it points). */
export const WebsiteUrlSchema = Type.String({
  minLength: 8,
  maxLength: 2_048,
  pattern: '^[Hh][Tt][Tt][Pp][Ss]?://',
});

/**
 * Step 1: which provider answers this user by default. Keys themselves are stored encrypted with
 * `PUT /api/ai-agents/my-agents`; this step only records the preference (it becomes the profile's).
 */
export const ProviderKeysStepSchema = Type.Object(
  {
    preferredProvider: Type.Union(
      providerNames.map((name) => Type.Literal(name)),
      { description: '`auto` = the gateway chain; otherwise a provider (server key or your own key)' },
    ),
    preferredModel: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })),
  },
  { additionalProperties: false },
);

/** Step 2: the user's own website. */
export const WebsiteStepSchema = Type.Object(
  { websiteUrl: WebsiteUrlSchema },
  { additionalProperties: false },
);

/** Step 3: competitors' websites to analyse (may be empty). */
export const CompetitorsStepSchema = Type.Object(
  { competitors: Type.Array(WebsiteUrlSchema, { maxItems: maxCompetitors }) },
  { additionalProperties: false },
);

/** Step 4: how the user wants content written. */
export const ContentPreferencesStepSchema = Type.Object(
  {
    tone: Type.Optional(Type.String({ minLength: 1, maxLength: 100 })),
    audience: Type.Optional(Type.String({ minLength: 1, maxLength: 300 })),
    topics: Type.Optional(Type.Array(Type.String({ minLength: 1, maxLength: 100 }), { maxItems: 20 })),
    language: Type.Optional(Type.String({ pattern: '^[A-Za-z]{2,3}(-[A-Za-z0-9]{2,8})*$', maxLength: 35 })),
    postingFrequency: Type.Optional(
      Type.Union(['daily', 'weekly', 'biweekly', 'monthly'].map((value) => Type.Literal(value))),
    ),
  },
  { additionalProperties: false },
);

/** Step 5: platforms the user means to connect (connected later through `/api/connections`). */
export const PlatformsStepSchema = Type.Object(
  {
    platforms: Type.Array(
      Type.Union(['gsc', 'bing', 'wordpress', 'wix'].map((value) => Type.Literal(value))),
      { maxItems: 4, uniqueItems: true },
    ),
  },
  { additionalProperties: false },
);

/** Step 6: the user confirms what they entered. */
export const ConfirmationStepSchema = Type.Object(
  { confirmed: Type.Literal(true, { description: 'must be `true`' }) },
  { additionalProperties: false },
);

/** The body schema of each step, by number. */
export const stepBodySchemas = {
  1: ProviderKeysStepSchema,
  2: WebsiteStepSchema,
  3: CompetitorsStepSchema,
  4: ContentPreferencesStepSchema,
  5: PlatformsStepSchema,
  6: ConfirmationStepSchema,
} as const;

/** The body of step `N`. */
export type StepBody<N extends keyof typeof stepBodySchemas> = Static<(typeof stepBodySchemas)[N]>;

/** `PUT /api/onboarding/steps/:step` path. */
export const StepParamsSchema = Type.Object({
  step: Type.Integer({ minimum: 1, maximum: onboardingSteps.length, description: '1..6' }),
});

/** One step as `GET /api/onboarding` shows it. */
export const OnboardingStepSchema = Type.Object({
  step: Type.Integer(),
  name: Type.String(),
  completed: Type.Boolean(),
  data: Type.Union([Type.Record(Type.String(), Type.Unknown()), Type.Null()]),
});

/** `GET /api/onboarding` and `PUT /api/onboarding/steps/:step` answer. */
export const OnboardingSchema = Type.Object({
  id: Type.Union([Type.String(), Type.Null()], { description: 'null before the first step is saved' }),
  status: Type.String({ description: '`not_started`, `started`, `in_progress` or `completed`' }),
  currentStep: Type.Union([Type.Integer(), Type.Null()], {
    description: 'the next step to do; null when complete',
  }),
  progressPercent: Type.Integer({ minimum: 0, maximum: 100 }),
  steps: Type.Array(OnboardingStepSchema),
  completedAt: Type.Union([Type.String(), Type.Null()]),
});

/** A monitoring task onboarding created or found. */
export const ProvisionedTaskSchema = Type.Object({
  id: Type.String(),
  type: Type.String(),
  target: Type.String(),
  created: Type.Boolean({ description: 'false when it already existed' }),
  jobId: Type.Union([Type.String(), Type.Null()], { description: 'its first run; null if not queued' }),
});

/** `POST /api/onboarding/complete` answer. */
export const OnboardingCompletionSchema = Type.Object({
  status: Type.Literal('completed'),
  profileCreated: Type.Boolean(),
  tasks: Type.Array(ProvisionedTaskSchema),
  firstRunsQueued: Type.Boolean({
    description: 'false when the queue was unreachable; the scheduler then runs the new tasks within a cycle',
  }),
});
