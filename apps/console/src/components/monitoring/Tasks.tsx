import { Fragment, useState } from 'react';
import {
  useRunTask,
  useSetTaskStatus,
  useStopWatchingCompetitor,
  type MonitoringTask,
} from '../../api/monitoring.js';
import { formatDateTime, formatRelative } from '../../format.js';
import { Badge } from '../Card.js';
import { ActionError } from '../states.js';
import { TaskDetails } from './TaskDetails.js';

export const taskTypeNames: Record<MonitoringTask['type'], string> = {
  website_analysis: 'Website analysis',
  oauth_token: 'Connection token',
  platform_insights: 'Platform insights',
};

const statusTone = (status: string) =>
  status === 'active' ? 'good' : status === 'paused' ? 'neutral' : status === 'failed' ? 'bad' : 'warn';

/** A website analysis of a competitor (not the user's own site), which the user may stop watching. */
const isCompetitor = (task: MonitoringTask) =>
  task.type === 'website_analysis' && task.details.taskType === 'competitor';

function TaskRow({ task }: { task: MonitoringTask }) {
  const run = useRunTask();
  const setStatus = useSetTaskStatus();
  const stopWatching = useStopWatchingCompetitor();
  const [open, setOpen] = useState(false);
  const paused = task.status === 'paused';
  // Resuming a task that needs intervention clears its failures and makes it due now (the gateway's PATCH).
  const resumable = paused || task.needsIntervention;
  return (
    <Fragment>
      <tr>
        <td className="task-cell">
          <div>{isCompetitor(task) ? 'Competitor analysis' : taskTypeNames[task.type]}</div>
          <div className="muted small break">{task.target}</div>
        </td>
        <td className="status-cell">
          <Badge tone={statusTone(task.status)}>{task.status.replace('_', ' ')}</Badge>
          {(task.hint ?? task.failureReason) && (
            <div className="small hint">{task.hint ?? task.failureReason}</div>
          )}
        </td>
        <td className="nowrap" title={task.lastCheck ?? undefined}>
          {formatDateTime(task.lastCheck)}
        </td>
        <td className="nowrap" title={task.nextCheck ? formatDateTime(task.nextCheck) : undefined}>
          {paused ? 'paused' : formatRelative(task.nextCheck)}
        </td>
        <td className="num">{task.consecutiveFailures}</td>
        <td className="actions task-actions">
          <button
            type="button"
            className="button-primary button-small"
            disabled={paused || run.isPending}
            onClick={() => run.mutate(task.id, { onSuccess: () => setOpen(true) })}
          >
            {run.isPending ? 'Queuing…' : 'Run now'}
          </button>
          <button
            type="button"
            className="button-secondary button-small"
            disabled={setStatus.isPending}
            onClick={() => setStatus.mutate({ id: task.id, status: resumable ? 'active' : 'paused' })}
          >
            {resumable ? 'Resume' : 'Pause'}
          </button>
          <button
            type="button"
            className="button-secondary button-small"
            aria-expanded={open}
            onClick={() => setOpen((current) => !current)}
          >
            {open ? 'Hide logs' : 'Logs'}
          </button>
          {isCompetitor(task) && (
            <button
              type="button"
              className="button-danger button-small"
              disabled={stopWatching.isPending}
              onClick={() => {
                if (window.confirm(`Stop watching ${task.target}? Its past analyses are kept.`))
                  stopWatching.mutate(task.target);
              }}
            >
              Stop watching
            </button>
          )}
          {run.data && (
            <span className="small muted run-status" role="status">
              {run.data.queued ? 'Run queued' : 'A run is already queued'}
            </span>
          )}
          <ActionError error={run.error ?? setStatus.error ?? stopWatching.error} />
        </td>
      </tr>
      {open && (
        <tr className="details-row">
          <td colSpan={6}>
            <TaskDetails task={task} />
          </td>
        </tr>
      )}
    </Fragment>
  );
}

export function TaskTable({ tasks }: { tasks: MonitoringTask[] }) {
  return (
    <div className="table-wrap">
      <table className="task-table">
        <colgroup>
          <col className="col-task" />
          <col className="col-status" />
          <col className="col-last" />
          <col className="col-next" />
          <col className="col-failures" />
          <col className="col-actions" />
        </colgroup>
        <thead>
          <tr>
            <th scope="col">Task</th>
            <th scope="col">Status</th>
            <th scope="col">Last check</th>
            <th scope="col">Next check</th>
            <th scope="col" className="num">
              Failures
            </th>
            <th scope="col">
              <span className="visually-hidden">Actions</span>
            </th>
          </tr>
        </thead>
        <tbody>
          {tasks.map((task) => (
            <TaskRow key={task.id} task={task} />
          ))}
        </tbody>
      </table>
    </div>
  );
}
