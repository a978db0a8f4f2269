import { useAcknowledgeAlert, useAlerts, useUsage, type Alert, type UsageReport } from '../api/account.js';
import { Badge, Card, PageHeader } from '../components/Card.js';
import { QuotaBar } from '../components/QuotaBar.js';
import { ActionError, QueryView } from '../components/states.js';
import {
  formatCount,
  formatDate,
  formatDateTime,
  formatLimit,
  formatRequests,
  formatTokens,
  formatUsd,
} from '../format.js';

const statusBadge = {
  ok: <Badge tone="good">Within plan</Badge>,
  warning: <Badge tone="warn">Near a limit</Badge>,
  limit_reached: <Badge tone="bad">Limit reached</Badge>,
};

function PlanUsage({ usage }: { usage: UsageReport }) {
  const tokens = usage.tokens.prompt + usage.tokens.completion;
  return (
    <>
      <p className="muted">
        Plan <strong>{usage.plan}</strong> · {formatDate(usage.period.start)} to{' '}
        {formatDate(usage.period.end)} {statusBadge[usage.status]}
      </p>
      <div className="stats">
        <div className="stat">
          <span className="stat-label">Requests</span>
          <span className="stat-value">{formatRequests(usage.requests)}</span>
        </div>
        <div className="stat">
          <span className="stat-label">Tokens</span>
          <span className="stat-value">{formatTokens(tokens)}</span>
          <span className="stat-detail">
            {formatCount(usage.tokens.prompt)} in · {formatCount(usage.tokens.completion)} out
          </span>
        </div>
        <div className="stat">
          <span className="stat-label">Cost</span>
          <span className="stat-value">{formatUsd(usage.costUsd)}</span>
        </div>
        <div className="stat">
          <span className="stat-label">Failed</span>
          <span className="stat-value">{formatRequests(usage.errors)}</span>
        </div>
      </div>
      <QuotaBar
        label="Requests"
        used={formatRequests(usage.requests)}
        limit={formatLimit(usage.limits.monthlyRequestLimit, formatRequests)}
        percent={usage.percent.requests}
      />
      <QuotaBar
        label="Tokens"
        used={formatTokens(tokens)}
        limit={formatLimit(usage.limits.monthlyTokenLimit, formatTokens)}
        percent={usage.percent.tokens}
      />
      <QuotaBar
        label="Cost"
        used={formatUsd(usage.costUsd)}
        limit={formatLimit(usage.limits.monthlyCostCapUsd, formatUsd)}
        percent={usage.percent.costUsd}
      />
    </>
  );
}

const severityTone = (severity: string) =>
  severity === 'critical' || severity === 'high'
    ? 'bad'
    : severity === 'warning' || severity === 'medium'
      ? 'warn'
      : 'neutral';

function AlertList({ alerts }: { alerts: Alert[] }) {
  const acknowledge = useAcknowledgeAlert();
  return (
    <>
      <ActionError error={acknowledge.error} />
      <ul className="alert-list">
        {alerts.map((alert) => (
          <li key={alert.id} className={alert.acknowledgedAt ? 'alert alert-done' : 'alert'}>
            <div className="alert-text">
              <Badge tone={severityTone(alert.severity)}>{alert.severity}</Badge>
              <span>{alert.message}</span>
              <span className="muted small">{formatDateTime(alert.createdAt)}</span>
            </div>
            {alert.acknowledgedAt ? (
              <span className="muted small">Acknowledged {formatDateTime(alert.acknowledgedAt)}</span>
            ) : (
              <button
                type="button"
                className="button-secondary button-small"
                disabled={acknowledge.isPending && acknowledge.variables === alert.id}
                onClick={() => acknowledge.mutate(alert.id)}
              >
                Acknowledge
              </button>
            )}
          </li>
        ))}
      </ul>
    </>
  );
}

export function OverviewPage() {
  const usage = useUsage();
  const alerts = useAlerts();
  return (
    <>
      <PageHeader title="Overview">This month's requests, tokens and cost against your plan.</PageHeader>
      <Card title="This month">
        <QueryView query={usage} what="usage">
          {(data) => <PlanUsage usage={data} />}
        </QueryView>
      </Card>
      <Card title="Alerts">
        <QueryView
          query={alerts}
          what="alerts"
          isEmpty={(data) => data.length === 0}
          empty="No alerts. You will see one here when usage passes 80, 90 or 100 % of a limit."
        >
          {(data) => <AlertList alerts={data} />}
        </QueryView>
      </Card>
    </>
  );
}
