import { createColumnHelper } from '@tanstack/react-table';
import { download, qs, type AuditChange, type AuditEntry } from '../api';
import { DataTable } from '../components/DataTable';
import { DateRange, rangeQuery, type Range } from '../components/DateRange';
import { Empty, ErrorBox, Field, Loading, PageHeader, Pager, Time } from '../components/ui';
import { useAction, useFilterDraft, usePaged } from '../hooks';
import { Link, useQueryFilter } from '../router';

/** The resources the admin API changes (the first segment of its routes), offered in the filter. */
const RESOURCES = ['destinations', 'sources', 'goals', 'users', 'events', 'deliveries', 'fraud-policy', 'links', 'offers', 'api-secrets', 'apps'];

/** Where the dashboard shows a resource; null where it has no page of its own. */
function resourcePath(resource: string, id: string | null): string | null {
  switch (resource) {
    case 'destinations':
    case 'sources':
    case 'goals':
      return `/${resource}`;
    case 'users':
      return id === null ? '/users' : `/users${qs({ id })}`;
    case 'events':
      return id === null ? '/events' : `/events/${encodeURIComponent(id)}`;
    case 'deliveries':
      return '/history';
    case 'fraud-policy':
      return '/fraud';
    case 'links':
    case 'offers':
    case 'api-secrets':
    case 'apps':
      return '/catalog';
    default:
      return null;
  }
}

/** The changed resource's id; a creation's route names none, so it is read from what was created. */
function idOf(entry: AuditEntry): string | null {
  if (entry.resourceId !== null) return entry.resourceId;
  for (const key of ['id', 'slug']) {
    const created = entry.changes[key]?.after;
    if (typeof created === 'string' || typeof created === 'number') return String(created);
  }
  return null;
}

/** A value as one line of text: nothing as "—", text as it is, anything else as compact JSON. */
function valueText(value: unknown): string {
  if (value === null || value === undefined) return '—';
  if (typeof value === 'string') return value;
  return JSON.stringify(value);
}

function ChangeList({ changes }: { changes: Record<string, AuditChange> }) {
  const fields = Object.entries(changes);
  if (fields.length === 0) return <span className="muted">no field changed</span>;
  return (
    <ul className="audit-changes">
      {fields.map(([field, { before, after }]) => (
        <li key={field}>
          <span className="audit-field">{field}</span>: <span className="audit-before">{valueText(before)}</span> <span aria-label="became">→</span>{' '}
          <span className="audit-after">{valueText(after)}</span>
        </li>
      ))}
    </ul>
  );
}

function What({ entry }: { entry: AuditEntry }) {
  const id = idOf(entry);
  const to = resourcePath(entry.resource, id);
  return (
    <div className="audit-what">
      <span className="mono">
        {entry.method} {entry.route}
      </span>{' '}
      <span className="muted num">{entry.status}</span>
      <div>
        {entry.resource}
        {id !== null && ' '}
        {id !== null && (to === null ? <span className="mono">{id}</span> : <Link to={to} className="mono">{id}</Link>)}
        {id === null && to !== null && (
          <>
            {' · '}
            <Link to={to}>open</Link>
          </>
        )}
      </div>
    </div>
  );
}

const column = createColumnHelper<AuditEntry>();

/** The table's columns (they depend on nothing: one list of them). */
const AUDIT_COLUMNS = [
  column.accessor('at', { header: 'Time', cell: (c) => <Time iso={c.getValue()} /> }),
  column.accessor('actor', {
    header: 'Who',
    cell: (c) => (
      <div>
        {c.getValue()}
        <div className="muted mono">{c.row.original.address ?? '—'}</div>
      </div>
    ),
  }),
  column.display({ id: 'what', header: 'What', cell: (c) => <What entry={c.row.original} /> }),
  column.accessor('changes', { header: 'Changes', cell: (c) => <ChangeList changes={c.getValue()} /> }),
];

const EMPTY_FILTER = { from: '', to: '', resource: '', resourceId: '', actor: '' };
type AuditFilter = typeof EMPTY_FILTER;

/** The filters as the audit log and its CSV export take them. */
const apiQuery = (filter: AuditFilter) => ({ ...rangeQuery(filter), resource: filter.resource, resourceId: filter.resourceId, actor: filter.actor });

/** The filter form: edited as a draft, applied to the URL on submit (the date range at once). */
function AuditFilters({ applied, apply }: { applied: AuditFilter; apply: (next: AuditFilter) => void }) {
  const { draft, setDraft, submit, applyNow } = useFilterDraft(applied, apply);
  return (
    <form className="filters" onSubmit={submit} aria-label="Filter the audit log">
      <DateRange
        value={{ from: draft.from, to: draft.to }}
        onChange={(range: Range) => applyNow({ ...draft, ...range })}
      />
      <div className="filter-fields">
        <Field label="Resource">
          {(id) => (
            <>
              <input id={id} list={`${id}-list`} value={draft.resource} onChange={(e) => setDraft({ ...draft, resource: e.target.value.trim() })} placeholder="any" />
              <datalist id={`${id}-list`}>
                {RESOURCES.map((r) => (
                  <option key={r} value={r} />
                ))}
              </datalist>
            </>
          )}
        </Field>
        <Field label="Resource id">{(id) => <input id={id} value={draft.resourceId} onChange={(e) => setDraft({ ...draft, resourceId: e.target.value.trim() })} placeholder="any" />}</Field>
        <Field label="Actor">{(id) => <input id={id} value={draft.actor} onChange={(e) => setDraft({ ...draft, actor: e.target.value })} placeholder="e.g. admin token" />}</Field>
        <div className="filter-buttons">
          <button type="submit" className="primary">
            Apply filters
          </button>
          <button type="button" onClick={() => apply(EMPTY_FILTER)}>
            Clear
          </button>
        </div>
      </div>
    </form>
  );
}

/** The audit log: every change made through the admin API, newest first, filtered from the URL; and its CSV. */
export function AuditLog() {
  const [applied, setQuery] = useQueryFilter(EMPTY_FILTER);
  const list = usePaged<AuditEntry>(`/audit${qs({ limit: 50, ...apiQuery(applied) })}`);
  const action = useAction();
  // The CSV needs the admin token, which a plain link would not send: fetched, then saved.
  const csv = () => action.run(() => download(`/audit/export.csv${qs(apiQuery(applied))}`, `audit-log-${new Date().toISOString().slice(0, 10)}.csv`));
  return (
    <div>
      <PageHeader title="Audit log">
        <button type="button" onClick={list.reload} disabled={list.loading}>
          Refresh
        </button>
        <button type="button" onClick={() => void csv()} disabled={action.busy}>
          Download CSV
        </button>
      </PageHeader>
      <p className="lead">Every change made through the admin API: when, who and from where, what, and each field before and after (secrets hidden). Newest first. The CSV holds everything that matches the filters, not just this page.</p>
      <AuditFilters applied={applied} apply={setQuery} />
      <ErrorBox error={action.error ?? list.error} onRetry={list.reload} />
      {list.loading && list.data === undefined ? (
        <Loading what="Loading the audit log" />
      ) : (
        <div className="cards-on-phone">
          <DataTable
            caption="Audit log"
            data={list.items}
            columns={AUDIT_COLUMNS}
            rowKey={(e) => e.id}
            empty={<Empty>No change matches these filters. Widen the date range or clear the filters.</Empty>}
          />
        </div>
      )}
      <Pager {...list} count={list.items.length} />
    </div>
  );
}
