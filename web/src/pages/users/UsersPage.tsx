import { useEffect, useState, type FormEvent } from 'react';
import { Field, PageHeader } from '../../components/ui';
import { useQueryState } from '../../router';
import { UserDetail } from './UserDetail';
import { UserList } from './UserList';

/** Users and their ledgers: the list, or one user found by id (`?id=`, with the trace's filters beside it). */
export function UsersPage() {
  const [query, setQuery] = useQueryState();
  const id = query.get('id') ?? '';
  const [draft, setDraft] = useState(id);
  useEffect(() => setDraft(id), [id]);
  const submit = (event: FormEvent) => {
    event.preventDefault();
    setQuery({ id: draft.trim() });
  };
  return (
    <div>
      <PageHeader title="Users & ledger" />
      <form className="search" onSubmit={submit} role="search">
        <Field label="User id">{(fieldId) => <input id={fieldId} value={draft} onChange={(e) => setDraft(e.target.value)} placeholder="e.g. a1b2c3d4-e5f6-…" />}</Field>
        <button type="submit" className="primary">
          Find user
        </button>
        {id && (
          <button type="button" onClick={() => setQuery({})}>
            All users
          </button>
        )}
      </form>
      {id ? <UserDetail key={id} id={id} /> : <UserList />}
    </div>
  );
}
