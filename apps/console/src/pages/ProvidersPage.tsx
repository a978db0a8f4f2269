import { useState } from 'react';
import { useProviderHealth, useProviderStats, type ProviderHealth } from '../api/operator.js';
import { Badge, Card, PageHeader } from '../components/Card.js';
import { ProviderCharts } from '../components/ProviderCharts.js';
import { QueryView } from '../components/states.js';
import { formatCount, formatDateTime, formatMs, formatRatio, formatRelative } from '../format.js';

const breakerTone = (state: string) => (state === 'closed' ? 'good' : state === 'open' ? 'bad' : 'warn');

function Headroom({ provider }: { provider: ProviderHealth }) {
  if (!provider.rateLimitedUntil || Date.parse(provider.rateLimitedUntil) <= Date.now())
    return <Badge tone="good">Available</Badge>;
  return (
    <span title={formatDateTime(provider.rateLimitedUntil)}>
      <Badge tone="warn">Rate limited</Badge> until {formatRelative(provider.rateLimitedUntil)}
    </span>
  );
}

function HealthTable({ providers }: { providers: ProviderHealth[] }) {
  return (
    <div className="table-wrap">
      <table>
        <thead>
          <tr>
            <th scope="col">Provider</th>
            <th scope="col">Breaker</th>
            <th scope="col" className="num">
              Success (5 min)
            </th>
            <th scope="col" className="num">
              Success (1 h)
            </th>
            <th scope="col" className="num">
              p50 latency
            </th>
            <th scope="col" className="num">
              p95 latency
            </th>
            <th scope="col" className="num">
              Requests (1 h)
            </th>
            <th scope="col">Rate-limit headroom</th>
            <th scope="col">Last error</th>
          </tr>
        </thead>
        <tbody>
          {providers.map((provider) => (
            <tr key={provider.provider}>
              <td>{provider.provider}</td>
              <td>
                <Badge tone={breakerTone(provider.breaker.state)}>
                  {provider.breaker.state.replace('_', ' ')}
                </Badge>
                {provider.breaker.openUntil && Date.parse(provider.breaker.openUntil) > Date.now() && (
                  <div className="small muted">retry {formatRelative(provider.breaker.openUntil)}</div>
                )}
              </td>
              <td className="num">{formatRatio(provider.lastFiveMinutes.successRate)}</td>
              <td className="num">{formatRatio(provider.lastHour.successRate)}</td>
              <td className="num">{formatMs(provider.lastHour.p50Ms)}</td>
              <td className="num">{formatMs(provider.lastHour.p95Ms)}</td>
              <td className="num">{formatCount(provider.lastHour.requests)}</td>
              <td>
                <Headroom provider={provider} />
              </td>
              <td>
                {provider.lastError ? (
                  <>
                    {provider.lastError.kind}
                    <div className="small muted">{formatDateTime(provider.lastError.at)}</div>
                  </>
                ) : (
                  'none'
                )}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

const windows = [
  { hours: 6, label: '6 hours' },
  { hours: 24, label: '24 hours' },
  { hours: 168, label: '7 days' },
];

export function ProvidersPage() {
  const health = useProviderHealth();
  const [hours, setHours] = useState(24);
  const stats = useProviderStats(hours);
  return (
    <>
      <PageHeader title="Providers">
        Breakers, success rate, latency, fallbacks and rate limits per provider.
      </PageHeader>
      <Card title="Now">
        <QueryView
          query={health}
          what="provider health"
          isEmpty={(data) => data.length === 0}
          empty="The gateway has no provider configured."
        >
          {(data) => <HealthTable providers={data} />}
        </QueryView>
      </Card>
      <div className="toolbar" role="group" aria-label="Time window">
        <span className="muted">History:</span>
        {windows.map((window) => (
          <button
            key={window.hours}
            type="button"
            className={
              window.hours === hours ? 'button-primary button-small' : 'button-secondary button-small'
            }
            aria-pressed={window.hours === hours}
            onClick={() => setHours(window.hours)}
          >
            {window.label}
          </button>
        ))}
      </div>
      <QueryView
        query={stats}
        what="provider history"
        isEmpty={(data) => data.providers.length === 0}
        empty="No provider history yet."
      >
        {(data) => <ProviderCharts stats={data} />}
      </QueryView>
    </>
  );
}
