import { Type } from '@sinclair/typebox';

/** `POST /api/console/session` body; the key may come as a Bearer header instead. */
export const ConsoleSignInSchema = Type.Union([
  Type.Object(
    { key: Type.String({ minLength: 1, maxLength: 512, description: 'A user API key or the admin key.' }) },
    { additionalProperties: false },
  ),
  Type.Null(),
]);

/** `POST /api/console/session` answer: what the console shows for this key. */
export const ConsoleSessionSchema = Type.Object({
  role: Type.Union([Type.Literal('operator'), Type.Literal('user')], {
    description: '`operator`: the admin key (the queue dashboard cookie is set); `user`: an API key',
  }),
});
