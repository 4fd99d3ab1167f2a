import { useState, type FormEvent, type ReactNode } from 'react';
import { api, type Offer, type StoreApp } from '../../api';
import { DataTable } from '../../components/DataTable';
import { Empty, ErrorBox, Field, Loading, Pager, Time } from '../../components/ui';
import { useAction, usePaged } from '../../hooks';
import { useCan } from '../../session';

/** Apps and offers: an id and a name; add and remove (and what `rowActions` adds to a row). */
export function NamedList({
  kind,
  title,
  idLabel,
  onChange,
  rowActions,
}: {
  kind: 'apps' | 'offers';
  title: string;
  idLabel: 'pid' | 'id';
  onChange: () => void;
  rowActions?: (row: StoreApp & Offer) => ReactNode;
}) {
  const list = usePaged<StoreApp & Offer>(`/${kind}?limit=50`);
  const [id, setId] = useState('');
  const [name, setName] = useState('');
  const action = useAction();
  const canWrite = useCan('config:write');
  const add = async (event: FormEvent) => {
    event.preventDefault();
    const created = await action.run(() => api(`/${kind}`, { body: { [idLabel]: id.trim(), ...(name.trim() ? { name: name.trim() } : {}) } }));
    if (created) {
      setId('');
      setName('');
      list.reload();
      onChange();
    }
  };
  const remove = async (key: string) => {
    if (!window.confirm(`Remove ${key}? Postbacks that name it will be rejected.`)) return;
    const done = await action.run(() => api(`/${kind}/${encodeURIComponent(key)}`, { method: 'DELETE' }).then(() => true));
    if (done) {
      list.reload();
      onChange();
    }
  };
  const keyOf = (row: StoreApp & Offer) => (idLabel === 'pid' ? row.pid : row.id);
  return (
    <section className="panel" aria-labelledby={`${kind}-title`}>
      <h2 id={`${kind}-title`}>{title}</h2>
      {canWrite && (
        <form className="inline-form" onSubmit={(e) => void add(e)}>
          <Field label={idLabel}>{(fid) => <input id={fid} value={id} onChange={(e) => setId(e.target.value)} required maxLength={128} />}</Field>
          <Field label="Name">{(fid) => <input id={fid} value={name} onChange={(e) => setName(e.target.value)} maxLength={200} />}</Field>
          <button type="submit" className="primary" disabled={action.busy}>
            Add
          </button>
        </form>
      )}
      <ErrorBox error={action.error ?? list.error} />
      {list.loading && list.data === undefined ? (
        <Loading />
      ) : (
        <DataTable
          caption={title}
          data={list.items}
          rowKey={keyOf}
          empty={<Empty>None yet.</Empty>}
          columns={[
            { id: 'id', header: idLabel, cell: (c) => <span className="mono">{keyOf(c.row.original)}</span> },
            { id: 'name', header: 'Name', cell: (c) => c.row.original.name ?? '—' },
            { id: 'created', header: 'Added', cell: (c) => <Time iso={c.row.original.createdAt} /> },
            { id: 'remove', header: 'Actions', cell: (c) => <RowActions row={c.row.original} extra={rowActions} onRemove={canWrite ? (key) => void remove(key) : null} keyOf={keyOf} /> },
          ]}
        />
      )}
      <Pager {...list} count={list.items.length} />
    </section>
  );
}

/** A row's actions: what the list adds (`extra`), and Remove for a role that may change the catalog. */
function RowActions({ row, extra, onRemove, keyOf }: { row: StoreApp & Offer; extra: ((row: StoreApp & Offer) => ReactNode) | undefined; onRemove: ((key: string) => void) | null; keyOf: (row: StoreApp & Offer) => string }) {
  return (
    <div className="row-actions nowrap">
      {extra?.(row)}
      {onRemove && (
        <button type="button" className="small" onClick={() => onRemove(keyOf(row))} aria-label={`Remove ${keyOf(row)}`}>
          Remove
        </button>
      )}
    </div>
  );
}
