import type { PlatformDatabase } from '@switchyard/db';
import { usageAlerts, type usageAlertTypes } from '@switchyard/db/platform';

type AlertType = (typeof usageAlertTypes)[number];

const limitNames: Record<string, string> = {
  requests: 'monthly request limit',
  tokens: 'monthly token limit',
  cost: 'monthly cost cap',
  provider_requests: 'monthly request limit for provider',
  provider_cost: 'monthly cost cap for provider',
};

function alertTypeOf(limit: string, percent: number): AlertType {
  const reached = percent >= 100;
  if (limit === 'requests') return reached ? 'request_limit_reached' : 'request_limit_warning';
  if (limit === 'tokens') return reached ? 'token_limit_reached' : 'token_limit_warning';
  if (limit === 'cost') return reached ? 'cost_cap_reached' : 'cost_cap_warning';
  return reached ? 'provider_limit_reached' : 'provider_limit_warning';
}

/**
 * Writes the `usage_alerts` rows of thresholds the quota scripts report as crossed (`<limit>:<percent>`, e.g.
 * `cost:80`, `provider_cost:openai:90`). Idempotent: `period_key` is unique per user and type, so a crossing
 * reported twice (two replicas, a retry) is one row.
 */
export async function writeCrossedAlerts(
  db: PlatformDatabase,
  input: { userId: string; period: string; planName: string; crossed: string[] },
): Promise<void> {
  if (input.crossed.length === 0) return;
  const rows = input.crossed.map((crossing) => {
    const parts = crossing.split(':');
    const percent = Number(parts.at(-1));
    const limit = parts[0] ?? '';
    const provider = parts.length === 3 ? parts[1] : undefined;
    const name = `${limitNames[limit] ?? limit}${provider ? ` ${provider}` : ''}`;
    return {
      userId: input.userId,
      alertType: alertTypeOf(limit, percent),
      severity: percent >= 100 ? ('critical' as const) : ('warning' as const),
      message:
        percent >= 100
          ? `You reached the ${name} of the ${input.planName} plan for ${input.period}.`
          : `You used ${percent} % of the ${name} of the ${input.planName} plan for ${input.period}.`,
      details: { limit, percent, period: input.period, ...(provider ? { provider } : {}) },
      periodKey: `${input.period}:${crossing.slice(0, crossing.lastIndexOf(':'))}:${percent}`,
    };
  });
  await db
    .insert(usageAlerts)
    .values(rows)
    .onConflictDoNothing({ target: [usageAlerts.userId, usageAlerts.alertType, usageAlerts.periodKey] })
    .execute();
}
