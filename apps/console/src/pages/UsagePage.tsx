import { Bar, BarChart, CartesianGrid, Legend, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts';
import {
  useRecentRequests,
  useUsageBreakdown,
  type RequestRow,
  type UsageBreakdown,
} from '../api/account.js';
import { Badge, Card, PageHeader } from '../components/Card.js';
import { axisProps, chartColors } from '../components/chart-theme.js';
import { QueryView } from '../components/states.js';
import {
  formatDateTime,
  formatDay,
  formatMs,
  formatRequests,
  formatTokens,
  formatUsd,
  formatUsdTick,
} from '../format.js';

function DailyCost({ days }: { days: UsageBreakdown['days'] }) {
  return (
    <figure className="chart" aria-label="Cost per day chart">
      <ResponsiveContainer width="100%" height={240}>
        <BarChart data={days} margin={{ top: 8, right: 8, bottom: 0, left: 8 }} maxBarSize={40}>
          <CartesianGrid vertical={false} stroke={chartColors.grid} />
          <XAxis dataKey="date" tickFormatter={formatDay} {...axisProps} minTickGap={16} />
          <YAxis yAxisId="cost" tickFormatter={formatUsdTick} {...axisProps} width={72} />
          <YAxis yAxisId="requests" orientation="right" allowDecimals={false} {...axisProps} width={40} />
          <Tooltip
            labelFormatter={(label) => (typeof label === 'string' ? formatDay(label) : '')}
            formatter={(value, name) =>
              name === 'Cost' ? [formatUsd(Number(value)), name] : [formatRequests(Number(value)), name]
            }
          />
          <Legend />
          {/* Requests beside cost: a day of free (or local) calls still shows its traffic. */}
          <Bar
            yAxisId="cost"
            dataKey="costUsd"
            name="Cost"
            fill={chartColors.primary}
            radius={[3, 3, 0, 0]}
          />
          <Bar
            yAxisId="requests"
            dataKey="requests"
            name="Requests"
            fill={chartColors.secondary}
            fillOpacity={0.45}
            radius={[3, 3, 0, 0]}
          />
        </BarChart>
      </ResponsiveContainer>
    </figure>
  );
}

function ModelCost({ models }: { models: UsageBreakdown['models'] }) {
  const rows = models.map((row) => ({ ...row, label: `${row.provider} / ${row.model}` }));
  return (
    <div className="split">
      <figure className="chart" aria-label="Cost per provider and model chart">
        <ResponsiveContainer width="100%" height={Math.max(120, rows.length * 36 + 40)}>
          <BarChart data={rows} layout="vertical" margin={{ top: 8, right: 16, bottom: 0, left: 8 }}>
            <CartesianGrid horizontal={false} stroke={chartColors.grid} />
            <XAxis type="number" tickFormatter={formatUsdTick} {...axisProps} />
            <YAxis type="category" dataKey="label" width={180} {...axisProps} />
            <Tooltip formatter={(value) => [formatUsd(Number(value)), 'Cost']} />
            <Bar dataKey="costUsd" name="Cost" fill={chartColors.secondary} radius={[0, 3, 3, 0]} />
          </BarChart>
        </ResponsiveContainer>
      </figure>
      <div className="table-wrap">
        <table>
          <thead>
            <tr>
              <th scope="col">Provider</th>
              <th scope="col">Model</th>
              <th scope="col" className="num">
                Requests
              </th>
              <th scope="col" className="num">
                Tokens
              </th>
              <th scope="col" className="num">
                Cost
              </th>
            </tr>
          </thead>
          <tbody>
            {rows.map((row) => (
              <tr key={row.label}>
                <td>{row.provider}</td>
                <td className="break">{row.model}</td>
                <td className="num">{formatRequests(row.requests)}</td>
                <td className="num">{formatTokens(row.tokens)}</td>
                <td className="num">{formatUsd(row.costUsd)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </div>
  );
}

function RequestTable({ requests }: { requests: RequestRow[] }) {
  return (
    <div className="table-wrap">
      <table>
        <thead>
          <tr>
            <th scope="col">Time</th>
            <th scope="col">Provider</th>
            <th scope="col">Model</th>
            <th scope="col" className="num">
              Attempts
            </th>
            <th scope="col">Fallback</th>
            <th scope="col" className="num">
              Latency
            </th>
            <th scope="col" className="num">
              Tokens
            </th>
            <th scope="col" className="num">
              Cost
            </th>
            <th scope="col">Status</th>
          </tr>
        </thead>
        <tbody>
          {requests.map((row) => (
            <tr key={row.requestId}>
              <td className="nowrap">{formatDateTime(row.createdAt)}</td>
              <td>{row.provider}</td>
              <td>{row.model}</td>
              <td className="num">{row.attempts}</td>
              <td>{row.fallback ? <Badge tone="warn">Yes</Badge> : 'No'}</td>
              <td className="num">{formatMs(row.latencyMs)}</td>
              <td className="num">{formatTokens(row.promptTokens + row.completionTokens)}</td>
              <td className="num">{formatUsd(row.costUsd)}</td>
              <td>
                {row.status === 'success' ? (
                  <Badge tone="good">OK</Badge>
                ) : (
                  <Badge tone="bad">{row.errorKind ?? 'error'}</Badge>
                )}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

export function UsagePage() {
  const breakdown = useUsageBreakdown();
  const requests = useRecentRequests();
  return (
    <>
      <PageHeader title="Usage">Cost per day and per model this month, and your recent requests.</PageHeader>
      <Card title="Cost per day">
        <QueryView
          query={breakdown}
          what="daily cost"
          isEmpty={(data) => data.days.every((day) => day.requests === 0)}
          empty="No requests this month yet."
        >
          {(data) => <DailyCost days={data.days} />}
        </QueryView>
      </Card>
      <Card title="Cost per provider and model">
        <QueryView
          query={breakdown}
          what="cost per model"
          isEmpty={(data) => data.models.length === 0}
          empty="No requests this month yet."
        >
          {(data) => <ModelCost models={data.models} />}
        </QueryView>
      </Card>
      <Card title="Recent requests">
        <QueryView
          query={requests}
          what="recent requests"
          isEmpty={(data) => data.pages[0]?.requests.length === 0}
          empty="No requests yet. Requests show up here a few seconds after they finish."
        >
          {(data) => <RequestTable requests={data.pages.flatMap((page) => page.requests)} />}
        </QueryView>
        {requests.hasNextPage && (
          <div className="button-row table-more">
            <button
              type="button"
              className="button-secondary button-small"
              disabled={requests.isFetchingNextPage}
              onClick={() => void requests.fetchNextPage()}
            >
              {requests.isFetchingNextPage ? 'Loading…' : 'Show older requests'}
            </button>
          </div>
        )}
      </Card>
    </>
  );
}
