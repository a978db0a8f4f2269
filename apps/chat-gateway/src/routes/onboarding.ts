import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import { ErrorEnvelopeRefSchema, errorResponses } from '../schemas/common.js';
import { OnboardingCompletionSchema, OnboardingSchema, StepParamsSchema } from '../schemas/onboarding.js';

/** The user's onboarding: read it, save each of the six steps, complete it (profile + monitoring tasks). */
const onboardingRoutes: FastifyPluginAsyncTypebox = (app) => {
  const security = [{ apiKey: [] }];

  app.get(
    '/api/onboarding',
    {
      onRequest: app.authenticate,
      schema: {
        tags: ['onboarding'],
        security,
        summary: 'Your onboarding: each step with its data, the next step and progress',
        response: { 200: OnboardingSchema, ...errorResponses },
      },
    },
    (request) => app.onboarding.view(request.principal!.userId),
  );

  app.put(
    '/api/onboarding/steps/:step',
    {
      onRequest: app.authenticate,
      schema: {
        tags: ['onboarding'],
        security,
        summary:
          'Save one step (1 provider, 2 website, 3 competitors, 4 content, 5 platforms, 6 confirmation)',
        description:
          'Bodies: 1 `{ preferredProvider, preferredModel? }` (keys themselves: PUT /api/ai-agents/my-agents); ' +
          '2 `{ websiteUrl }`; 3 `{ competitors: [url, ...] }` (at most 10); 4 `{ tone?, audience?, topics?, ' +
          'language?, postingFrequency? }`; 5 `{ platforms: ["gsc"|"bing"|"wordpress"|"wix", ...] }`; ' +
          '6 `{ confirmed: true }`. URLs must be public http(s) addresses.',
        params: StepParamsSchema,
        body: Type.Unknown({ description: 'the body of the step (see the description)' }),
        response: { 200: OnboardingSchema, ...errorResponses, 409: ErrorEnvelopeRefSchema },
      },
    },
    (request) =>
      app.onboarding.saveStep(
        request.principal!.userId,
        request.params.step as 1 | 2 | 3 | 4 | 5 | 6,
        request.body,
      ),
  );

  app.post(
    '/api/onboarding/complete',
    {
      onRequest: app.authenticate,
      schema: {
        tags: ['onboarding'],
        security,
        summary:
          'Complete onboarding: your profile, website-analysis tasks and their first runs (idempotent)',
        response: {
          200: OnboardingCompletionSchema,
          ...errorResponses,
          409: ErrorEnvelopeRefSchema,
          503: ErrorEnvelopeRefSchema,
        },
      },
    },
    (request) => app.onboarding.complete(request.principal!.userId),
  );

  return Promise.resolve();
};

export default onboardingRoutes;
