import { useAnomalies, useConnections, useOnboarding, useTasks, type Anomaly } from '../api/monitoring.js';
import { Badge, Card, PageHeader } from '../components/Card.js';
import { WatchCompetitorForm } from '../components/monitoring/Competitors.js';
import { ConnectButtons, ConnectionTable } from '../components/monitoring/Connections.js';
import { OnboardingProgress } from '../components/monitoring/Onboarding.js';
import { TaskTable } from '../components/monitoring/Tasks.js';
import { QueryView } from '../components/states.js';
import { formatDateTime } from '../format.js';

const number = new Intl.NumberFormat('en-US', { maximumFractionDigits: 2 });

function AnomalyTable({ anomalies }: { anomalies: Anomaly[] }) {
  return (
    <div className="table-wrap">
      <table>
        <thead>
          <tr>
            <th scope="col">Detected</th>
            <th scope="col">Metric</th>
            <th scope="col">Kind</th>
            <th scope="col">Severity</th>
            <th scope="col" className="num">
              Observed
            </th>
            <th scope="col" className="num">
              Expected
            </th>
            <th scope="col">Resolved</th>
          </tr>
        </thead>
        <tbody>
          {anomalies.map((anomaly) => (
            <tr key={anomaly.id}>
              <td className="nowrap">{formatDateTime(anomaly.detectedAt)}</td>
              <td>
                {anomaly.metricName}
                {anomaly.tags && <div className="small muted break">{anomaly.tags}</div>}
              </td>
              <td>{anomaly.anomalyType}</td>
              <td>
                <Badge tone={anomaly.severity === 'high' || anomaly.severity === 'critical' ? 'bad' : 'warn'}>
                  {anomaly.severity}
                </Badge>
              </td>
              <td className="num">{number.format(anomaly.observed)}</td>
              <td className="num">{anomaly.expected === null ? '–' : number.format(anomaly.expected)}</td>
              <td className="nowrap">{anomaly.resolvedAt ? formatDateTime(anomaly.resolvedAt) : 'open'}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

export function MonitoringPage() {
  const onboarding = useOnboarding();
  const connections = useConnections();
  const tasks = useTasks();
  const anomalies = useAnomalies();
  return (
    <>
      <PageHeader title="Monitoring">
        Your website, competitors and connected platforms, checked on a schedule by the monitoring worker.
      </PageHeader>
      <Card title="Onboarding">
        <QueryView query={onboarding} what="onboarding">
          {(data) => <OnboardingProgress onboarding={data} />}
        </QueryView>
      </Card>
      <Card title="Tasks">
        <QueryView
          query={tasks}
          what="tasks"
          isEmpty={(data) => data.length === 0}
          empty="No monitoring tasks yet. Completing onboarding or connecting a platform creates them."
        >
          {(data) => <TaskTable tasks={data} />}
        </QueryView>
        {onboarding.data?.status === 'completed' && <WatchCompetitorForm />}
      </Card>
      <Card title="Connections">
        <QueryView
          query={connections}
          what="connections"
          isEmpty={(data) => data.length === 0}
          empty="No platform connected."
        >
          {(data) => <ConnectionTable connections={data} />}
        </QueryView>
        <ConnectButtons />
      </Card>
      <Card title="Anomalies">
        <QueryView
          query={anomalies}
          what="anomalies"
          isEmpty={(data) => data.length === 0}
          empty="No anomalies detected."
        >
          {(data) => <AnomalyTable anomalies={data} />}
        </QueryView>
      </Card>
    </>
  );
}
