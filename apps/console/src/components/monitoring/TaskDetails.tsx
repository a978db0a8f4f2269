import { useEffect } from 'react';
import { useTaskLogs, useTaskResults, type MonitoringTask, type TaskResult } from '../../api/monitoring.js';
import { formatDateTime, formatMs } from '../../format.js';
import { Badge } from '../Card.js';
import { headlineFacts } from './result-facts.js';
import { QueryView } from '../states.js';

const logTone = (status: string) =>
  status === 'success' ? 'good' : status === 'failed' ? 'bad' : status === 'running' ? 'warn' : 'neutral';

function show(value: unknown): string {
  if (value === null || value === undefined || value === '') return '–';
  if (Array.isArray(value) && value.length === 0) return 'none';
  if (Array.isArray(value)) return value.map(show).join(', ');
  if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean')
    return String(value);
  return JSON.stringify(value);
}

/** What changed since the analysis before (the worker's `{ first, changed: { field: { before, after } } }`). */
function Changes({ result }: { result: TaskResult }) {
  const changes = result.changes as {
    first?: boolean;
    changed?: Record<string, { before: unknown; after: unknown }>;
  } | null;
  if (!changes) return null;
  if (changes.first) return <p className="small">First analysis: nothing to compare with yet.</p>;
  const fields = Object.entries(changes.changed ?? {});
  if (fields.length === 0) return <p className="small">Nothing changed since the analysis before.</p>;
  return (
    <div className="table-wrap">
      <table className="compact">
        <caption>What changed</caption>
        <thead>
          <tr>
            <th scope="col">Field</th>
            <th scope="col">Before</th>
            <th scope="col">After</th>
          </tr>
        </thead>
        <tbody>
          {fields.map(([field, { before, after }]) => (
            <tr key={field}>
              <td>{field}</td>
              <td className="break">{show(before)}</td>
              <td className="break">{show(after)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

/** The headline facts of a result: an analysis's page facts, or an insights snapshot's numbers. */
function Facts({ result }: { result: TaskResult }) {
  const source = (result.kind === 'insights_snapshot' ? result.data.snapshot : result.data.fetched) as
    Record<string, unknown> | undefined;
  const facts = headlineFacts(source ?? {}).slice(0, 10);
  if (facts.length === 0) return null;
  return (
    <dl className="facts">
      {facts.map(([name, value]) => (
        <div key={name}>
          <dt>{name}</dt>
          <dd className="break">{show(value)}</dd>
        </div>
      ))}
    </dl>
  );
}

export function TaskDetails({ task }: { task: MonitoringTask }) {
  const logs = useTaskLogs(task.id);
  const results = useTaskResults(task.id);
  // A finished run writes its analysis with its log: when a new log shows up, the latest analysis may be new too.
  const newestLog = logs.data?.[0];
  const newestLogKey = newestLog ? `${newestLog.id}:${newestLog.status}` : '';
  const { refetch: refetchResults } = results;
  useEffect(() => {
    if (newestLogKey) void refetchResults();
  }, [newestLogKey, refetchResults]);
  return (
    <div className="task-details">
      <section aria-label="Logs">
        <h3>Logs</h3>
        <QueryView query={logs} what="logs" isEmpty={(data) => data.length === 0} empty="No runs yet.">
          {(data) => (
            <div className="table-wrap">
              <table className="compact">
                <thead>
                  <tr>
                    <th scope="col">Run at</th>
                    <th scope="col">Result</th>
                    <th scope="col" className="num">
                      Duration
                    </th>
                    <th scope="col">Error</th>
                  </tr>
                </thead>
                <tbody>
                  {data.map((log) => (
                    <tr key={log.id}>
                      <td className="nowrap">{formatDateTime(log.executionDate)}</td>
                      <td>
                        <Badge tone={logTone(log.status)}>{log.status}</Badge>
                      </td>
                      <td className="num">{formatMs(log.executionTimeMs)}</td>
                      <td className="break">{log.errorMessage ?? '–'}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          )}
        </QueryView>
      </section>
      {task.type !== 'oauth_token' && (
        <section aria-label="Latest analysis">
          <h3>{task.type === 'platform_insights' ? 'Latest insights' : 'Latest analysis'}</h3>
          <QueryView
            query={results}
            what="results"
            isEmpty={(data) => data.length === 0}
            empty="No result yet: the first run writes one."
          >
            {(data) => (
              <>
                <p className="small muted">
                  {formatDateTime(data[0]!.at)} · {data[0]!.url}
                </p>
                <Facts result={data[0]!} />
                <Changes result={data[0]!} />
              </>
            )}
          </QueryView>
        </section>
      )}
    </div>
  );
}
