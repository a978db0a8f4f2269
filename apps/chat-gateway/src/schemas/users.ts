import { Type } from '@sinclair/typebox';

/** `POST /api/admin/users` body. */
export const CreateUserSchema = Type.Object({
  email: Type.String({ format: 'email', maxLength: 320 }),
  name: Type.Optional(Type.String({ maxLength: 200 })),
  role: Type.Optional(Type.Union([Type.Literal('user'), Type.Literal('admin')])),
});

/** A user as the API shows it. */
export const UserSchema = Type.Object({
  id: Type.String({ format: 'uuid' }),
  email: Type.String(),
  name: Type.Union([Type.String(), Type.Null()]),
  role: Type.String(),
  status: Type.String(),
  createdAt: Type.String({ format: 'date-time' }),
});

/** `POST /api/admin/users/:id/api-keys` body; it may be omitted. */
export const CreateApiKeySchema = Type.Optional(
  Type.Object({
    name: Type.Optional(Type.String({ minLength: 1, maxLength: 100 })),
  }),
);

/** A freshly issued key; `key` is shown this once and never again. */
export const IssuedApiKeySchema = Type.Object({
  id: Type.String({ format: 'uuid' }),
  key: Type.String({ description: 'The secret key. Store it now: only its hash is kept.' }),
  prefix: Type.String(),
  name: Type.String(),
  createdAt: Type.String({ format: 'date-time' }),
});

/** `GET /api/users/me` answer. */
export const MeSchema = Type.Object({
  user: UserSchema,
  apiKey: Type.Object({ id: Type.String({ format: 'uuid' }) }),
});

/** `GET/PUT /api/users/me/preferences`. */
export const PreferencesSchema = Type.Object({
  fallbackOrder: Type.Array(Type.String(), {
    description: 'Providers to try first, in order; the rest of the chain follows.',
    maxItems: 10,
  }),
  defaultModel: Type.Union([Type.String(), Type.Null()], { description: 'Used when a request says `auto`.' }),
});

const Instant = Type.String({ format: 'date-time' });
const NullableInstant = Type.Union([Instant, Type.Null()]);

/** A user as the operator's list shows it: with plan and keys (never a key's secret). */
export const DirectoryUserSchema = Type.Object({
  ...UserSchema.properties,
  plan: Type.Union(
    [
      Type.Object({
        name: Type.String(),
        status: Type.String(),
        billingCycle: Type.String(),
        currentPeriodStart: Instant,
      }),
      Type.Null(),
    ],
    { description: 'null: no subscription, the Free plan' },
  ),
  apiKeys: Type.Array(
    Type.Object({
      id: Type.String({ format: 'uuid' }),
      name: Type.String(),
      prefix: Type.String(),
      createdAt: Instant,
      lastUsedAt: NullableInstant,
      revokedAt: NullableInstant,
    }),
  ),
});

/** `GET /api/admin/users` answer, newest first. */
export const DirectoryPageSchema = Type.Object({
  users: Type.Array(DirectoryUserSchema),
  nextBefore: Type.Union([Instant, Type.Null()], {
    description: 'the `before` of the next page; null on the last',
  }),
});
