import type { HubEvent, Source } from '../../api';
import { DataTable } from '../../components/DataTable';
import { Loading } from '../../components/ui';
import { useApi } from '../../hooks';
import { HUB_FIELDS } from '../sources/definition';
import { useCan } from '../../session';

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

/** How the event's source reads its postbacks, field by field, with the value each took in this one. */
export function MappingPanel({ event }: { event: HubEvent }) {
  const builtIn = event.source === 'platform' || event.source === 'reward-levels';
  const mayRead = useCan('config:read');
  // Built-in intakes are not sources: nothing to ask the hub.
  const source = useApi<Source>(builtIn || !mayRead ? null : `/sources/${encodeURIComponent(event.source)}`);
  if (!mayRead && !builtIn) return null;
  return (
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
  );
}
