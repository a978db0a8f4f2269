import { useAdminUsers, usePlans } from '../api/operator.js';
import { Card, PageHeader } from '../components/Card.js';
import { CreatePlanForm, PlansTable } from '../components/operator/Plans.js';
import { CreateUserForm, UsersTable } from '../components/operator/Users.js';
import { QueryView } from '../components/states.js';

export function UsersPage() {
  const users = useAdminUsers();
  const plans = usePlans();
  return (
    <>
      <PageHeader title="Users & plans">
        Users, their API keys and plans; plan limits apply at once everywhere.
      </PageHeader>
      <Card title="Users">
        <QueryView
          query={users}
          what="users"
          isEmpty={(data) => data.users.length === 0}
          empty="No users yet. Create the first one below."
        >
          {/* Until the plans load (or if they fail, shown below), each user's select offers only their own plan. */}
          {(data) => <UsersTable users={data.users} plans={plans.data ?? []} />}
        </QueryView>
        <CreateUserForm />
      </Card>
      <Card title="Plans">
        <QueryView query={plans} what="plans" isEmpty={(data) => data.length === 0} empty="No plans yet.">
          {(data) => <PlansTable plans={data} />}
        </QueryView>
        <CreatePlanForm />
      </Card>
    </>
  );
}
