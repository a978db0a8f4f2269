import { Type, type Static } from '@sinclair/typebox';

/** A platform connection as its owner sees it; never a token. */
export const ConnectionSchema = Type.Object({
  id: Type.String({ format: 'uuid' }),
  platform: Type.Union([
    Type.Literal('gsc'),
    Type.Literal('bing'),
    Type.Literal('wordpress'),
    Type.Literal('wix'),
  ]),
  status: Type.Union([
    Type.Literal('active'),
    Type.Literal('expired'),
    Type.Literal('revoked'),
    Type.Literal('error'),
  ]),
  account: Type.Union([Type.String(), Type.Null()], {
    description: 'The site or account the grant is for (WordPress: user @ site).',
  }),
  siteUrl: Type.Union([Type.String(), Type.Null()]),
  scopes: Type.Array(Type.String()),
  expiresAt: Type.Union([Type.String({ format: 'date-time' }), Type.Null()], {
    description: 'When the access token expires; null = it does not expire.',
  }),
  lastRefreshedAt: Type.Union([Type.String({ format: 'date-time' }), Type.Null()]),
  createdAt: Type.String({ format: 'date-time' }),
});
export type Connection = Static<typeof ConnectionSchema>;

/** `GET /api/connections`. */
export const ConnectionListSchema = Type.Object({ connections: Type.Array(ConnectionSchema) });

/** The platform path parameter of the OAuth routes. */
export const OAuthPlatformParamsSchema = Type.Object({
  platform: Type.Union([Type.Literal('gsc'), Type.Literal('bing'), Type.Literal('wix')], {
    description: 'gsc (Google Search Console), bing (Bing Webmaster Tools) or wix',
  }),
});

/** `POST /api/connections/:platform/authorize` body (optional). */
export const AuthorizeBodySchema = Type.Union([
  Type.Object(
    {
      siteUrl: Type.Optional(
        Type.String({
          format: 'uri',
          maxLength: 2_048,
          description: 'The site to fetch insights for; default: the website given in onboarding.',
        }),
      ),
    },
    { additionalProperties: false },
  ),
  Type.Null(),
]);

/** `POST /api/connections/:platform/authorize` answer. */
export const AuthorizeResponseSchema = Type.Object({
  authorizationUrl: Type.String({ description: 'Open in the browser; valid for 10 minutes, once.' }),
});

/** `GET /api/connections/:platform/callback` query, as the platform redirects back. */
export const CallbackQuerySchema = Type.Object({
  state: Type.String({ minLength: 1, maxLength: 200 }),
  code: Type.Optional(Type.String({ minLength: 1, maxLength: 4_096 })),
  error: Type.Optional(Type.String({ maxLength: 200 })),
  error_description: Type.Optional(Type.String({ maxLength: 1_000 })),
});

/** The tasks a connection runs, as created or reactivated by a connect. */
export const ConnectionTasksSchema = Type.Object({
  oauthTaskId: Type.String({ format: 'uuid' }),
  insightsTaskId: Type.Union([Type.String({ format: 'uuid' }), Type.Null()]),
});

/** Answer of a connect (callback without CONNECTIONS_RETURN_URL, and WordPress). */
export const ConnectedSchema = Type.Object({
  connection: ConnectionSchema,
  tasks: ConnectionTasksSchema,
});

/** `POST /api/connections/wordpress` body. */
export const WordPressConnectBodySchema = Type.Object(
  {
    siteUrl: Type.String({ format: 'uri', maxLength: 2_048, pattern: '^https?://' }),
    username: Type.String({ minLength: 1, maxLength: 200 }),
    applicationPassword: Type.String({ minLength: 1, maxLength: 200 }),
  },
  { additionalProperties: false },
);

/** `DELETE /api/connections/:id` answer: whether the platform revoked the grant, and how many tasks were paused. */
export const DeletedConnectionSchema = Type.Object({
  id: Type.String({ format: 'uuid' }),
  revokedAtPlatform: Type.Boolean(),
  pausedTasks: Type.Integer(),
});
