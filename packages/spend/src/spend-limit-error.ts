/** A limit the quota engine enforces; provider limits name their provider (`provider_cost:openai`). */
export type SpendLimit =
  | 'requests'
  | 'tokens'
  | 'cost'
  | 'rate'
  | 'key_rate'
  | `provider_requests:${string}`
  | `provider_cost:${string}`;

/**
 * A request refused because it would pass one of the plan's limits. `code` is the API's error code;
 * `retryAfterSeconds` is the time to the period's end (monthly limits) or to the rate window's end.
 */
export class SpendLimitError extends Error {
  readonly code = 'quota_exceeded';
  constructor(
    readonly limit: SpendLimit,
    readonly planName: string,
    readonly retryAfterSeconds: number,
  ) {
    super(messageFor(limit, planName, retryAfterSeconds));
    this.name = 'SpendLimitError';
  }
}

function messageFor(limit: SpendLimit, planName: string, retryAfterSeconds: number): string {
  const plan = `the ${planName} plan`;
  if (limit === 'rate')
    return `You reached the requests-per-minute limit of ${plan}. Retry after ${retryAfterSeconds} s.`;
  if (limit === 'key_rate')
    return `You reached this API key's requests-per-minute limit. Retry after ${retryAfterSeconds} s.`;
  if (limit === 'requests')
    return `You used the monthly request limit of ${plan}. Upgrade the plan or wait for the next month.`;
  if (limit === 'tokens')
    return `This request would pass the monthly token limit of ${plan}. Upgrade the plan or wait for the next month.`;
  if (limit === 'cost')
    return `This request would pass the monthly cost cap of ${plan}. Upgrade the plan or wait for the next month.`;
  const [kind, provider] = limit.split(':') as [string, string];
  return kind === 'provider_requests'
    ? `You used the monthly request limit for provider ${provider} of ${plan}.`
    : `This request would pass the monthly cost cap for provider ${provider} of ${plan}.`;
}
