import { Card, PageHeader } from '../components/Card.js';
import { AddKeyForm, OwnKeysTable } from '../components/OwnKeys.js';
import { RoutingPreferences } from '../components/RoutingPreferences.js';
import { QueryView } from '../components/states.js';
import { useAgents } from '../api/keys.js';

export function KeysPage() {
  const agents = useAgents();
  return (
    <>
      <PageHeader title="Keys & providers">
        Your own provider keys are tried first; then the gateway's providers in your fallback order.
      </PageHeader>
      <Card title="Your provider keys">
        <QueryView
          query={agents}
          what="provider keys"
          isEmpty={(data) => data.length === 0}
          empty="No provider keys of your own. Requests use the gateway's providers."
        >
          {(data) => <OwnKeysTable agents={data} />}
        </QueryView>
        <AddKeyForm />
      </Card>
      <Card title="Fallback order and default model">
        <RoutingPreferences />
      </Card>
    </>
  );
}
