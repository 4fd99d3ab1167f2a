import { useMemo, useState } from 'react';
import type { Source } from '../../api';
import { DataTable } from '../../components/DataTable';
import { Empty, ReadOnlyNote, ErrorBox, Loading, PageHeader, Pager, SecretOnce } from '../../components/ui';
import { usePaged } from '../../hooks';
import { useCan } from '../../session';
import { sourceColumns } from './source-columns';
import { SourceForm } from './SourceForm';
import { SourceTest } from './SourceTest';

export function SourcesPage() {
  const list = usePaged<Source>('/sources?limit=50');
  const [editing, setEditing] = useState<Source | 'new' | null>(null);
  const [testing, setTesting] = useState<Source | null>(null);
  const [secret, setSecret] = useState<{ label: string; secret: string } | null>(null);
  const canWrite = useCan('config:write');
  const columns = useMemo(() => sourceColumns({ onTest: setTesting, onEdit: setEditing, canWrite }), [canWrite]);

  return (
    <div>
      <PageHeader title="Sources">
        {canWrite && (
          <button type="button" className="primary" onClick={() => setEditing('new')}>
            New source
          </button>
        )}
      </PageHeader>
      <p className="lead">Inbound partners: how their postbacks look, how they authenticate and what they earn. Give each partner its inbound URL.</p>
      <ReadOnlyNote scope="config:write">may read the sources, not change or test them</ReadOnlyNote>
      <ErrorBox error={list.error} onRetry={list.reload} />
      {list.loading && list.data === undefined ? (
        <Loading what="Loading sources" />
      ) : (
        <DataTable
          caption="Sources"
          data={list.items}
          columns={columns}
          rowKey={(s) => s.slug}
          empty={
            <Empty>
              No source yet. <strong>New source</strong> creates one from a preset (Gamezop, GG3, MomentScience, offerwalls…) or a mapping of your own.
            </Empty>
          }
        />
      )}
      <Pager {...list} count={list.items.length} />
      {editing !== null && (
        <SourceForm
          source={editing === 'new' ? null : editing}
          onClose={() => setEditing(null)}
          onSaved={(saved) => {
            setEditing(null);
            list.reload();
            if (saved.secret) setSecret({ label: `Secret of ${saved.slug}`, secret: saved.secret });
          }}
        />
      )}
      {testing !== null && <SourceTest source={testing} onClose={() => setTesting(null)} />}
      {secret !== null && <SecretOnce label={secret.label} secret={secret.secret} onDone={() => setSecret(null)} />}
    </div>
  );
}
