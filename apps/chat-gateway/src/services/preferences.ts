import { eq, withUser } from '@switchyard/db';
import { userProfiles } from '@switchyard/db/userdata';
import type { UserdataClient } from '../plugins/external/databases.js';

/** A user's routing preferences. */
export interface Preferences {
  fallbackOrder: string[];
  defaultModel: string | null;
}

/** Reads a user's routing preferences (defaults when the user never set any). */
export async function readPreferences(userdata: UserdataClient, userId: string): Promise<Preferences> {
  const [profile] = await withUser(userdata, userId, (transaction) =>
    transaction
      .select({ preferredModel: userProfiles.preferredModel, preferences: userProfiles.preferences })
      .from(userProfiles)
      .where(eq(userProfiles.userId, userId))
      .limit(1),
  );
  const fallbackOrder = profile?.preferences.fallbackOrder;
  return {
    fallbackOrder: Array.isArray(fallbackOrder)
      ? fallbackOrder.filter((item): item is string => typeof item === 'string')
      : [],
    defaultModel: profile?.preferredModel ?? null,
  };
}

/** Stores a user's routing preferences. */
export async function writePreferences(
  userdata: UserdataClient,
  userId: string,
  preferences: Preferences,
): Promise<void> {
  await withUser(userdata, userId, (transaction) =>
    transaction
      .insert(userProfiles)
      .values({
        userId,
        preferredModel: preferences.defaultModel,
        preferences: { fallbackOrder: preferences.fallbackOrder },
      })
      .onConflictDoUpdate({
        target: userProfiles.userId,
        set: {
          preferredModel: preferences.defaultModel,
          preferences: { fallbackOrder: preferences.fallbackOrder },
          updatedAt: new Date(),
        },
      }),
  );
}
