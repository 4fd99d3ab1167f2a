import { PageHeader } from '../../components/ui';
import { AdminKeys } from './AdminKeys';
import { OperatorTable } from './OperatorTable';

/** Operators & keys (owners only): the people who operate the hub and their roles, and the keys automation uses. */
export function OperatorsPage() {
  return (
    <div>
      <PageHeader title="Operators & keys" />
      <p className="lead">
        Who may operate this hub: each operator signs in with an email and password and may do what their role allows. Admin API keys let scripts call the admin API within the scopes they were given.
        The admin token stays an owner key.
      </p>
      <OperatorTable />
      <AdminKeys />
    </div>
  );
}
