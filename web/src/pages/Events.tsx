import { createColumnHelper } from '@tanstack/react-table';
import { useEffect, useMemo, useState, type FormEvent } from 'react';
import { api, ApiError, errorText, qs, type FraudFlag, type HubEvent, type LedgerEntry, type Page, type ReviewState, type Source } from '../api';
import { DataTable } from '../components/DataTable';
import { DateRange, rangeQuery, type Range } from '../components/DateRange';
import { Badge, Code, Empty, ErrorBox, Field, KeyValues, Loading, PageHeader, Pager, Time } from '../components/ui';
import { integer, money, pretty } from '../format';
import { useAction, useApi, usePaged } from '../hooks';
import { Link, useQueryState } from '../router';
import { DeliveryList } from './Deliveries';
import { HUB_FIELDS } from './Sources';

const column = createColumnHelper<HubEvent>();

/** The review filter's choices, as the API names them. */
const REVIEW_FILTERS: Array<{ value: ReviewState; label: string }> = [
  { value: 'held', label: 'Held for review' },
  { value: 'flagged', label: 'Flagged (credited)' },
  { value: 'approved', label: 'Approved' },
  { value: 'rejected', label: 'Rejected in review' },
];

const EMPTY_FILTER = { from: '', to: '', source: '', status: '', user: '', offer: '', partner: '', review: '' };

/** The review state and the checks that raised it, compact, for a table cell. */
function ReviewSummary({ event }: { event: HubEvent }) {
  if (event.review === null && event.flags.length === 0) return null;
  return (
    <span className="review-cell">
      {event.review && <Badge value={event.review} />}
      {event.flags.length > 0 && (
        <span className="flag-list" title={event.flags.map((f) => `${f.check} (${f.action}): ${f.detail}`).join('\n')}>
          {event.flags.map((f) => f.check).join(', ')}
        </span>
      )}
    </span>
  );
}

export function Events() {
  const [query, setQuery] = useQueryState();
  const applied = {
    from: query.get('from') ?? '',
    to: query.get('to') ?? '',
    source: query.get('source') ?? '',
    status: query.get('status') ?? '',
    user: query.get('user') ?? '',
    offer: query.get('offer') ?? '',
    partner: query.get('partner') ?? '',
    review: query.get('review') ?? '',
  };
  const [draft, setDraft] = useState(applied);
  const appliedKey = JSON.stringify(applied);
  useEffect(() => setDraft(JSON.parse(appliedKey) as typeof applied), [appliedKey]);
  const sources = useApi<Page<Source>>('/sources?limit=500');

  const path = `/events${qs({ limit: 50, ...rangeQuery({ from: applied.from, to: applied.to }), source: applied.source, status: applied.status, user: applied.user, offer: applied.offer, partner: applied.partner, review: applied.review })}`;
  const list = usePaged<HubEvent>(path);

  const apply = (next: typeof applied) => setQuery(next);
  const submit = (event: FormEvent) => {
    event.preventDefault();
    apply(draft);
  };

  const columns = useMemo(
    () => [
      column.accessor('receivedAt', { header: 'Received', cell: (c) => <Time iso={c.getValue()} /> }),
      column.accessor('source', { header: 'Source', cell: (c) => <span className="mono">{c.getValue()}</span> }),
      column.accessor('type', { header: 'Type' }),
      column.accessor('outcome', { header: 'Outcome', cell: (c) => <Badge value={c.getValue()} /> }),
      column.accessor('reason', {
        header: 'Reason',
        cell: (c) =>
          c.getValue() === null ? (
            c.row.original.duplicateOf ? (
              <span className="muted">repeat of an earlier postback</span>
            ) : (
              ''
            )
          ) : (
            <span>
              <strong className="mono">{c.getValue()}</strong>
              {c.row.original.detail && <span className="reason-detail"> — {c.row.original.detail}</span>}
            </span>
          ),
      }),
      column.accessor('userId', { header: 'User', cell: (c) => (c.getValue() ? <Link to={`/users?id=${encodeURIComponent(c.getValue()!)}`}>{c.getValue()}</Link> : '—') }),
      column.accessor('offerId', { header: 'Offer', cell: (c) => c.getValue() ?? '—' }),
      column.accessor('partner', { header: 'Partner', cell: (c) => c.getValue() ?? '—' }),
      column.accessor('review', { header: 'Review', cell: (c) => <ReviewSummary event={c.row.original} /> }),
      column.accessor('coins', { header: 'Coins', cell: (c) => <span className="num">{integer(c.getValue())}</span> }),
      column.accessor('amount', { header: 'Amount', cell: (c) => <span className="num">{money(c.getValue(), c.row.original.currency)}</span> }),
      column.display({
        id: 'open',
        header: 'Details',
        cell: (c) => (
          <Link to={`/events/${c.row.original.id}`} aria-label={`Details of the ${c.row.original.outcome} event from ${c.row.original.source} at ${c.row.original.receivedAt}`}>
            Details
          </Link>
        ),
      }),
    ],
    [],
  );

  return (
    <div>
      <PageHeader title="Events">
        <button type="button" className="small" onClick={list.reload} disabled={list.loading}>
          Refresh
        </button>
      </PageHeader>
      <p className="lead">Every postback and platform event, accepted, duplicate or rejected with its reason, with the partner it is attributed to and what the fraud checks found. Newest first.</p>
      <form className="filters" onSubmit={submit} aria-label="Filter events">
        <DateRange
          value={{ from: draft.from, to: draft.to }}
          onChange={(range: Range) => {
            const next = { ...draft, ...range };
            setDraft(next);
            apply(next);
          }}
        />
        <div className="filter-fields">
          <Field label="Source">
            {(id) => (
              <>
                <input id={id} list={`${id}-list`} value={draft.source} onChange={(e) => setDraft({ ...draft, source: e.target.value })} placeholder="any" />
                <datalist id={`${id}-list`}>
                  {(sources.data?.items ?? []).map((s) => (
                    <option key={s.slug} value={s.slug} />
                  ))}
                  <option value="reward-levels" />
                  <option value="platform" />
                </datalist>
              </>
            )}
          </Field>
          <Field label="Outcome">
            {(id) => (
              <select id={id} value={draft.status} onChange={(e) => setDraft({ ...draft, status: e.target.value })}>
                <option value="">any</option>
                <option value="accepted">accepted</option>
                <option value="duplicate">duplicate</option>
                <option value="rejected">rejected</option>
              </select>
            )}
          </Field>
          <Field label="User">{(id) => <input id={id} value={draft.user} onChange={(e) => setDraft({ ...draft, user: e.target.value })} placeholder="user id" />}</Field>
          <Field label="Offer">{(id) => <input id={id} value={draft.offer} onChange={(e) => setDraft({ ...draft, offer: e.target.value })} placeholder="offer id" />}</Field>
          <Field label="Partner">{(id) => <input id={id} value={draft.partner} onChange={(e) => setDraft({ ...draft, partner: e.target.value })} placeholder="any" />}</Field>
          <Field label="Review">
            {(id) => (
              <select id={id} value={draft.review} onChange={(e) => setDraft({ ...draft, review: e.target.value })}>
                <option value="">any</option>
                {REVIEW_FILTERS.map((r) => (
                  <option key={r.value} value={r.value}>
                    {r.label}
                  </option>
                ))}
              </select>
            )}
          </Field>
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
      <ErrorBox error={list.error} onRetry={list.reload} />
      {list.loading && list.data === undefined ? (
        <Loading what="Loading events" />
      ) : (
        <DataTable
          caption="Events"
          data={list.items}
          columns={columns}
          rowKey={(e) => e.id}
          rowClassName={(e) => (e.outcome === 'rejected' ? 'row-bad' : e.review === 'held' ? 'row-warn' : undefined)}
          empty={<Empty>No event matches these filters. Widen the date range or clear the filters.</Empty>}
        />
      )}
      <Pager {...list} count={list.items.length} />
    </div>
  );
}

/** The value a mapping path takes in the recorded request (query, then JSON or form body). */
function valueOf(event: HubEvent, path: string | string[] | undefined): string | undefined {
  if (path === undefined || event.raw === null) return undefined;
  let body: Record<string, unknown> | null = null;
  if (event.raw.body) {
    try {
      const parsed: unknown = JSON.parse(event.raw.body);
      if (typeof parsed === 'object' && parsed !== null) body = parsed as Record<string, unknown>;
    } catch {
      body = Object.fromEntries(new URLSearchParams(event.raw.body));
    }
  }
  for (const candidate of typeof path === 'string' ? [path] : path) {
    for (const source of [body, event.raw.query]) {
      if (source === null) continue;
      let value: unknown = candidate in source ? source[candidate] : candidate.split('.').reduce<unknown>((node, key) => (typeof node === 'object' && node !== null ? (node as Record<string, unknown>)[key] : undefined), source);
      if (typeof value === 'number' || typeof value === 'boolean') value = String(value);
      if (typeof value === 'string' && value.trim() !== '') return value;
    }
  }
  return undefined;
}

export function EventDetail({ id }: { id: string }) {
  const { data: event, error, loading, reload } = useApi<HubEvent>(`/events/${encodeURIComponent(id)}`);
  return (
    <div>
      <PageHeader title="Event">
        <Link to="/events" className="button small">
          ← All events
        </Link>
        <button type="button" className="small" onClick={reload}>
          Refresh
        </button>
      </PageHeader>
      <ErrorBox error={error} onRetry={reload} />
      {loading && event === undefined && <Loading what="Loading the event" />}
      {event && <EventBody event={event} onChanged={reload} />}
    </div>
  );
}

function EventBody({ event, onChanged }: { event: HubEvent; onChanged: () => void }) {
  const builtIn = event.source === 'platform' || event.source === 'reward-levels';
  // Built-in intakes are not sources: nothing to ask the hub.
  const source = useApi<Source>(builtIn ? null : `/sources/${encodeURIComponent(event.source)}`);
  return (
    <>
      <section className="panel">
        <h2>
          <Badge value={event.outcome} /> {event.type} from <span className="mono">{event.source}</span> {event.review && <Badge value={event.review} label={REVIEW_WORDS[event.review].badge} />}
        </h2>
        {event.outcome === 'rejected' && (
          <div className="callout bad" role="note">
            <strong>Rejected: {event.reason}</strong>
            {event.detail && <p className="reason-detail">{event.detail}</p>}
          </div>
        )}
        {event.outcome === 'duplicate' && event.duplicateOf && (
          <div className="callout" role="note">
            A repeat of <Link to={`/events/${event.duplicateOf}`}>an earlier postback</Link>: recorded, nothing credited.
          </div>
        )}
        <KeyValues
          rows={[
            ['Event id', <span className="mono">{event.id}</span>],
            ['Received', <Time iso={event.receivedAt} />],
            ['User', event.userId ? <Link to={`/users?id=${encodeURIComponent(event.userId)}`}>{event.userId}</Link> : null],
            ['External id', event.externalId],
            ['Offer', event.offerId],
            ['App', event.appPid],
            ['Level', event.level === null ? null : String(event.level)],
            ['Coins', integer(event.coins)],
            ['Amount', event.amount === null ? null : money(event.amount, event.currency)],
            ['Click id', event.clickId === null ? null : <span className="mono">{event.clickId}</span>],
            ['Partner', event.partner],
            ['Tracking link', event.linkId === null ? null : <span className="mono">{event.linkId}</span>],
            ['Partner click id', event.partnerClickId === null ? null : <span className="mono">{event.partnerClickId}</span>],
          ]}
        />
        {Object.keys(event.metadata).length > 0 && (
          <>
            <h3>Metadata</h3>
            <Code>{JSON.stringify(event.metadata, null, 2)}</Code>
          </>
        )}
      </section>

      {(event.review !== null || event.flags.length > 0) && <ReviewPanel event={event} onChanged={onChanged} />}

      <section className="panel">
        <h2>Mapping</h2>
        {builtIn || source.error ? (
          <p className="muted">
            {builtIn
              ? `A built-in intake (${event.source === 'platform' ? 'POST /api/events' : 'POST /api/postback'}): its fields are fixed, see the API documentation.`
              : source.error?.includes('No source') || source.error === 'Not found.'
                ? `The source "${event.source}" no longer exists.`
                : source.error}
          </p>
        ) : source.data === undefined ? (
          <Loading what="Loading the source" />
        ) : (
          <DataTable
            caption="How the source reads this postback"
            data={HUB_FIELDS.filter((f) => source.data!.definition.fields[f.key] !== undefined)}
            columns={[
              { id: 'field', header: 'Hub field', cell: (c) => c.row.original.label },
              {
                id: 'path',
                header: 'From',
                cell: (c) => {
                  const path = source.data!.definition.fields[c.row.original.key];
                  return <span className="mono">{typeof path === 'string' ? path : (path ?? []).join(' | ')}</span>;
                },
              },
              { id: 'value', header: 'Value in this request', cell: (c) => <span className="mono">{valueOf(event, source.data!.definition.fields[c.row.original.key]) ?? <em className="muted">absent</em>}</span> },
            ]}
            rowKey={(f) => f.key}
            empty="No field mapped."
          />
        )}
      </section>

      <section className="panel">
        <h2>Raw request</h2>
        {event.raw === null ? (
          <p className="muted">Not kept (pruned after the retention period, or an event without an HTTP request).</p>
        ) : (
          <>
            <p className="mono">
              {event.raw.method} {event.raw.path} · from {event.raw.ip}
            </p>
            <div className="grid-2 top">
              <div>
                <h3>Query</h3>
                <Code>{Object.keys(event.raw.query).length === 0 ? '(none)' : JSON.stringify(event.raw.query, null, 2)}</Code>
                <h3>Headers</h3>
                <Code>{Object.entries(event.raw.headers).map(([k, v]) => `${k}: ${v}`).join('\n')}</Code>
              </div>
              <div>
                <h3>Body{event.raw.bodyTruncated ? ' (truncated)' : ''}</h3>
                <Code>{event.raw.body === null ? '(none)' : pretty(event.raw.body)}</Code>
              </div>
            </div>
            <p className="hint">Secrets (tokens, signatures’ keys, secret parameters) were redacted before the request was stored.</p>
          </>
        )}
      </section>

      <section className="panel">
        <h2>Ledger entries</h2>
        <EventLedger event={event} />
      </section>

      <section className="panel">
        <h2>Deliveries</h2>
        {event.review === 'held' ? (
          <p className="muted">None yet: held for review, it gets its deliveries (to the destinations that want it) when it is approved.</p>
        ) : (
          // Approving sends the postbacks: read them again when the review changes.
          <DeliveryList key={event.review ?? ''} eventId={event.id} />
        )}
      </section>
    </>
  );
}

const REVIEW_WORDS: Record<ReviewState, { badge: string; text: string }> = {
  held: { badge: 'held for review', text: 'Held for review: not credited and not sent to partners until you approve it.' },
  flagged: { badge: 'flagged', text: 'Flagged: credited and sent to partners anyway. Reject it to take the credit back.' },
  approved: { badge: 'approved', text: 'Approved: credited and sent to partners.' },
  rejected: { badge: 'rejected in review', text: 'Rejected in review: not credited (a credit it had was reversed) and not counted as a conversion.' },
};

/** What the fraud checks found, and the operator's decision: approve a held event, reject one. */
function ReviewPanel({ event, onChanged }: { event: HubEvent; onChanged: () => void }) {
  const action = useAction();
  const [message, setMessage] = useState<string | null>(null);
  const canApprove = event.review === 'held';
  const canReject = event.review === 'flagged' || event.review === 'held' || event.review === 'approved';
  const decide = async (approve: boolean) => {
    setMessage(null);
    const question = approve
      ? 'Approve this event? It is credited and its postbacks are sent now.'
      : event.review === 'held'
        ? 'Reject this event? It stays uncredited and no postback is sent.'
        : 'Reject this event? Its credit is reversed; postbacks already sent are not recalled.';
    if (!window.confirm(question)) return;
    const done = await action.run(() =>
      api<HubEvent>(`/events/${encodeURIComponent(event.id)}/${approve ? 'approve' : 'reject'}`, { method: 'POST' }).catch((e: unknown) => {
        if (e instanceof ApiError && e.status === 409) {
          onChanged();
          throw new Error(`${e.message}. It may have been reviewed meanwhile: the page now shows its current state.`);
        }
        throw e;
      }),
    );
    if (done) {
      setMessage(approve ? 'Approved: the event is credited and its postbacks are queued.' : 'Rejected: the event is not credited and no longer counts as a conversion.');
      onChanged();
    }
  };
  return (
    <section className="panel" aria-labelledby="review-title">
      <h2 id="review-title">Fraud review</h2>
      {event.review && (
        <div className={`callout${event.review === 'rejected' ? ' bad' : event.review === 'held' || event.review === 'flagged' ? ' warn' : ''}`} role="note">
          <strong>{REVIEW_WORDS[event.review].text}</strong>
        </div>
      )}
      {event.flags.length > 0 && <FlagList flags={event.flags} />}
      {message && (
        <p className="state info" role="status">
          {message}
        </p>
      )}
      <ErrorBox error={action.error} />
      {(canApprove || canReject) && (
        <div className="actions">
          {canApprove && (
            <button type="button" className="primary" onClick={() => void decide(true)} disabled={action.busy}>
              Approve
            </button>
          )}
          {canReject && (
            <button type="button" className="danger" onClick={() => void decide(false)} disabled={action.busy}>
              Reject
            </button>
          )}
        </div>
      )}
    </section>
  );
}

/** Each finding: the check, what it does (flag or hold) and why, in words. */
function FlagList({ flags }: { flags: FraudFlag[] }) {
  return (
    <ul className="flag-items" aria-label="Fraud-check findings">
      {flags.map((f) => (
        <li key={`${f.check}:${f.detail}`}>
          <div className="flag-head">
            <strong className="mono">{f.check}</strong>
            <Badge value={f.action} label={f.action === 'hold' ? 'hold for review' : 'flag'} />
          </div>
          <p>{f.detail}</p>
        </li>
      ))}
    </ul>
  );
}

/** The user's ledger entries caused by this event (the ledger is read newest first, back to the event). */
function EventLedger({ event }: { event: HubEvent }) {
  const [entries, setEntries] = useState<LedgerEntry[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    if (event.userId === null) return;
    let cancelled = false;
    void (async () => {
      try {
        const found: LedgerEntry[] = [];
        let cursor: string | null = null;
        for (let page = 0; page < 10; page++) {
          const result: Page<LedgerEntry> = await api<Page<LedgerEntry>>(`/users/${encodeURIComponent(event.userId!)}/ledger${qs({ limit: 500, cursor })}`);
          found.push(...result.items.filter((e) => e.eventId === event.id));
          const oldest = result.items[result.items.length - 1];
          cursor = result.nextCursor;
          if (cursor === null || (oldest && Date.parse(oldest.createdAt) < Date.parse(event.receivedAt) - 60_000)) break;
        }
        if (!cancelled) setEntries(found);
      } catch (e) {
        if (!cancelled) setError(e instanceof ApiError && e.status === 404 ? 'The user no longer exists.' : errorText(e));
      }
    })();
    return () => {
      cancelled = true;
    };
  }, [event]);
  if (event.userId === null) return <p className="muted">No user: nothing was credited.</p>;
  if (error) return <ErrorBox error={error} />;
  if (entries === null) return <Loading what="Reading the ledger" />;
  if (entries.length === 0) return <p className="muted">No ledger entry: this event moved no coins.</p>;
  return (
    <DataTable
      caption="Ledger entries of this event"
      data={entries}
      rowKey={(e) => e.id}
      empty=""
      columns={[
        { id: 'at', header: 'When', cell: (c) => <Time iso={c.row.original.createdAt} /> },
        { id: 'kind', header: 'Cause', cell: (c) => c.row.original.kind },
        { id: 'delta', header: 'Coins', cell: (c) => <span className={`num ${c.row.original.delta < 0 ? 'bad-text' : 'good-text'}`}>{c.row.original.delta > 0 ? '+' : ''}{integer(c.row.original.delta)}</span> },
        { id: 'user', header: 'User', cell: (c) => <Link to={`/users?id=${encodeURIComponent(c.row.original.userId)}`}>{c.row.original.userId}</Link> },
      ]}
    />
  );
}
