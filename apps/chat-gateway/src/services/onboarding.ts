import { and, desc, eq, sql, withUser } from '@switchyard/db';
import { onboardingSessions } from '@switchyard/db/platform';
import { ensureWebsiteTasks, type ProvisionedWebsiteTask } from '@switchyard/db/provisioning';
import { userProfiles } from '@switchyard/db/userdata';
import { QueueUnavailableError, type Queues } from '@switchyard/jobs';
import type { FastifyBaseLogger } from 'fastify';
import {
  InvalidValueError,
  OnboardingCompletedError,
  OnboardingIncompleteError,
  withParam,
} from '../errors.js';
import type { PlatformClient, UserdataClient } from '../plugins/external/databases.js';
import { onboardingSteps, stepBodySchemas, type StepBody } from '../schemas/onboarding.js';
import { checkAgainst } from './schema-check.js';

type Session = typeof onboardingSessions.$inferSelect;
type StepNumber = keyof typeof stepBodySchemas;
type StoredSteps = Partial<Record<`${StepNumber}`, Record<string, unknown>>>;

/** Steps `complete` needs: the site to analyse, and the user's confirmation. */
const requiredSteps: readonly StepNumber[] = [2, 6];

/** Checks a URL a worker will fetch for the user (the gateway's address guard); rejects with a 400 naming `field`. */
export type FetchableUrlCheck = (url: string, field: string) => Promise<void>;

/** Dependencies of the onboarding service. */
export interface OnboardingServiceOptions {
  platform: PlatformClient;
  userdata: UserdataClient;
  queues: Queues;
  assertFetchableUrl: FetchableUrlCheck;
  log: FastifyBaseLogger;
}

/** One URL as stored: parsed and serialised by WHATWG URL, so `HTTPS://Example.com` and `https://example.com/` agree. */
export function canonicalUrl(url: string): string {
  return new URL(url).toString();
}

function stepsOf(session: Session | undefined): StoredSteps {
  const steps = session?.data.steps;
  return steps !== null && typeof steps === 'object' ? steps : {};
}

/** The session as the API shows it: each step's data, the next step to do, and progress in percent. */
export function onboardingView(session: Session | undefined) {
  const steps = stepsOf(session);
  const list = onboardingSteps.map((name, index) => {
    const data = steps[`${index + 1}` as `${StepNumber}`];
    return { step: index + 1, name, completed: data !== undefined, data: data ?? null };
  });
  const done = list.filter((step) => step.completed).length;
  const completed = session?.status === 'completed';
  return {
    id: session?.id ?? null,
    status: session?.status ?? 'not_started',
    currentStep: completed ? null : (list.find((step) => !step.completed)?.step ?? onboardingSteps.length),
    progressPercent: completed ? 100 : Math.round((done / onboardingSteps.length) * 100),
    steps: list,
    completedAt: session?.completedAt?.toISOString() ?? null,
  };
}

/** The user's onboarding: six validated steps, then one `complete` that provisions profile and monitoring. */
export function createOnboardingService(options: OnboardingServiceOptions) {
  const { platform, userdata, queues, assertFetchableUrl, log } = options;
  const db = platform.db;

  async function latestSession(userId: string): Promise<Session | undefined> {
    const [session] = await db
      .select()
      .from(onboardingSessions)
      .where(eq(onboardingSessions.userId, userId))
      .orderBy(desc(onboardingSessions.createdAt))
      .limit(1);
    return session;
  }

  /** Validates one step's body into what is stored (canonical URLs), or throws a 400 naming the field. */
  async function normalise(step: StepNumber, body: unknown, session: Session | undefined) {
    switch (step) {
      case 2: {
        const { websiteUrl } = checkAgainst(stepBodySchemas[2], body);
        await assertFetchableUrl(websiteUrl, 'websiteUrl');
        return { websiteUrl: canonicalUrl(websiteUrl) } satisfies StepBody<2>;
      }
      case 3: {
        const { competitors } = checkAgainst(stepBodySchemas[3], body);
        const own = session?.websiteUrl ?? undefined;
        const seen = new Set<string>();
        for (const [index, competitor] of competitors.entries()) {
          const field = `competitors[${index}]`;
          await assertFetchableUrl(competitor, field);
          const url = canonicalUrl(competitor);
          if (url === own)
            throw withParam(new InvalidValueError(`\`${field}\` is your own website (step 2).`), field);
          seen.add(url);
        }
        return { competitors: [...seen] } satisfies StepBody<3>;
      }
      case 5: {
        const { platforms } = checkAgainst(stepBodySchemas[5], body);
        return { platforms };
      }
      default:
        return checkAgainst(stepBodySchemas[step], body) as Record<string, unknown>;
    }
  }

  return {
    /** The user's latest onboarding session (a `not_started` view when there is none). */
    async view(userId: string) {
      return onboardingView(await latestSession(userId));
    },

    /** Saves one step (creating the session on the first one); steps may be redone in any order until completion. */
    async saveStep(userId: string, step: StepNumber, body: unknown) {
      const before = await latestSession(userId);
      if (before?.status === 'completed') throw new OnboardingCompletedError();
      const data = await normalise(step, body, before);
      const session = await db.transaction(async (transaction) => {
        // Two first steps sent at once must not open two sessions: the user's steps are serialised.
        await transaction.execute(sql`select pg_advisory_xact_lock(hashtext(${`onboarding:${userId}`}))`);
        let [current] = await transaction
          .select()
          .from(onboardingSessions)
          .where(eq(onboardingSessions.userId, userId))
          .orderBy(desc(onboardingSessions.createdAt))
          .limit(1)
          .for('update');
        if (current?.status === 'completed') throw new OnboardingCompletedError();
        current ??= (
          await transaction.insert(onboardingSessions).values({ userId, status: 'started' }).returning()
        )[0]!;
        const steps = { ...stepsOf(current), [`${step}`]: data };
        const [updated] = await transaction
          .update(onboardingSessions)
          .set({
            status: 'in_progress',
            currentStep: onboardingSteps[step - 1],
            data: { ...current.data, steps },
            ...(step === 2 ? { websiteUrl: (data as StepBody<2>).websiteUrl } : {}),
            ...(step === 3 ? { competitors: (data as StepBody<3>).competitors } : {}),
            ...(step === 5 ? { platforms: (data as StepBody<5>).platforms } : {}),
            updatedAt: new Date(),
          })
          .where(eq(onboardingSessions.id, current.id))
          .returning();
        return updated;
      });
      return onboardingView(session);
    },

    /**
     * Completes onboarding: the profile (userdata, under the user's row-level security), then the session and the
     * website-analysis tasks (platform) in one transaction, then the first runs. Every part is keyed (profile by
     * user, tasks by user+url+type, jobs by task and creation time), so completing again creates nothing new and
     * a completion interrupted half-way is finished by the next call.
     */
    async complete(userId: string) {
      const session = await latestSession(userId);
      const steps = stepsOf(session);
      const missing = requiredSteps.filter((step) => steps[`${step}`] === undefined);
      if (session === undefined || missing.length > 0)
        throw new OnboardingIncompleteError(
          `Onboarding cannot be completed yet: do step${missing.length === 1 ? '' : 's'} ${(missing.length > 0 ? missing : requiredSteps).join(' and ')} first (PUT /api/onboarding/steps/:step).`,
        );
      const providerStep = steps['1'] as StepBody<1> | undefined;
      const preferences = {
        ...(steps['4'] === undefined ? {} : { content: steps['4'] }),
        ...(steps['5'] === undefined ? {} : { platforms: steps['5'].platforms }),
      };
      const profileCreated = await withUser(userdata, userId, async (transaction) => {
        const inserted = await transaction
          .insert(userProfiles)
          .values({
            userId,
            preferredProvider: providerStep?.preferredProvider ?? null,
            preferredModel: providerStep?.preferredModel ?? null,
            preferences,
          })
          .onConflictDoNothing({ target: userProfiles.userId })
          .returning({ userId: userProfiles.userId });
        return inserted.length > 0;
      });
      const ensured = await db.transaction(async (transaction) => {
        const [locked] = await transaction
          .select()
          .from(onboardingSessions)
          .where(and(eq(onboardingSessions.id, session.id), eq(onboardingSessions.userId, userId)))
          .for('update');
        const tasks = await ensureWebsiteTasks(transaction, {
          userId,
          websiteUrl: locked?.websiteUrl,
          competitors: locked?.competitors ?? [],
        });
        if (locked?.status !== 'completed') {
          await transaction
            .update(onboardingSessions)
            .set({ status: 'completed', completedAt: new Date(), currentStep: null, updatedAt: new Date() })
            .where(eq(onboardingSessions.id, session.id));
        }
        return tasks;
      });
      const created = new Set(ensured.created.map((task) => task.id));
      const { jobIds, queued } = await enqueueFirstRuns(ensured.tasks);
      return {
        status: 'completed' as const,
        profileCreated,
        firstRunsQueued: queued,
        tasks: ensured.tasks.map((task) => ({
          id: task.id,
          type: 'website_analysis',
          target: task.websiteUrl,
          created: created.has(task.id),
          jobId: jobIds.get(task.id) ?? null,
        })),
      };
    },
  };

  /**
   * One `onboarding` job per task, its id fixed by the task's creation time: a second completion adds nothing.
   * Redis being away does not fail the completion: the tasks are due now, so the dispatcher runs them.
   */
  async function enqueueFirstRuns(tasks: ProvisionedWebsiteTask[]) {
    const jobIds = new Map<string, string>();
    try {
      for (const task of tasks) {
        const { jobId } = await queues.enqueueMonitoringTask({
          type: 'website_analysis',
          taskId: task.id,
          userId: task.userId,
          reason: 'onboarding',
          dueAt: task.createdAt.getTime(),
        });
        jobIds.set(task.id, jobId);
      }
      return { jobIds, queued: true };
    } catch (error) {
      if (!(error instanceof QueueUnavailableError)) throw error;
      log.warn(
        { reason: error.message },
        'first runs of onboarding tasks not queued; the dispatcher will run them',
      );
      return { jobIds, queued: false };
    }
  }
}

/** The onboarding service. */
export type OnboardingService = ReturnType<typeof createOnboardingService>;
