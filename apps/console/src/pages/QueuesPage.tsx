import { useQueueCounts } from '../api/operator.js';
import { Card, PageHeader } from '../components/Card.js';
import { QueryView } from '../components/states.js';
import { formatCount } from '../format.js';

const dashboardUrl = '/admin/queues';
const states = ['waiting', 'active', 'delayed', 'completed', 'failed'];

function QueueCounts({ queues }: { queues: Record<string, Record<string, number>> }) {
  return (
    <div className="table-wrap">
      <table>
        <thead>
          <tr>
            <th scope="col">Queue</th>
            {states.map((state) => (
              <th key={state} scope="col" className="num">
                {state[0]!.toUpperCase() + state.slice(1)}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {Object.entries(queues).map(([queue, counts]) => (
            <tr key={queue}>
              <td>{queue}</td>
              {states.map((state) => (
                <td key={state} className="num">
                  {formatCount(counts[state] ?? 0)}
                </td>
              ))}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

export function QueuesPage() {
  const counts = useQueueCounts();
  return (
    <>
      <PageHeader title="Queues">
        The monitoring worker's job queues. The full dashboard (bull-board) opens with your operator sign-in.
      </PageHeader>
      <Card title="Job counts">
        <QueryView
          query={counts}
          what="queue counts"
          isEmpty={(data) => Object.keys(data).length === 0}
          empty="No queues yet."
        >
          {(data) => <QueueCounts queues={data} />}
        </QueryView>
      </Card>
      <Card
        title="Queue dashboard"
        actions={
          <a className="button-secondary button-small" href={dashboardUrl} target="_blank" rel="noreferrer">
            Open queue dashboard
          </a>
        }
      >
        <iframe className="queue-frame" src={dashboardUrl} title="Queue dashboard" />
      </Card>
    </>
  );
}
