import { useState } from 'react';
import { api, ApiError, type TrackingLink } from '../../api';
import { useAction } from '../../hooks';

/** Enabling, disabling and deleting links, with what each did in words, and the link just created. */
export function useLinkActions(reload: () => void) {
  const [created, setCreated] = useState<TrackingLink | null>(null);
  const [message, setMessage] = useState<string | null>(null);
  const action = useAction();

  const toggle = async (link: TrackingLink) => {
    setMessage(null);
    setCreated(null);
    const saved = await action.run(() => api<TrackingLink>(`/links/${encodeURIComponent(link.id)}`, { method: 'PATCH', body: { enabled: !link.enabled } }));
    if (saved) {
      setMessage(saved.enabled ? `Link ${saved.id} is enabled: its clicks are recorded and redirected again.` : `Link ${saved.id} is disabled: its clicks now get “Link not found” and are not recorded.`);
      reload();
    }
  };
  const remove = async (link: TrackingLink) => {
    setMessage(null);
    setCreated(null);
    if (!window.confirm(`Delete the link ${link.id}? Anyone who still has it gets “Link not found”.`)) return;
    const done = await action.run(() =>
      api(`/links/${encodeURIComponent(link.id)}`, { method: 'DELETE' })
        .then(() => true)
        .catch((e: unknown) => {
          if (e instanceof ApiError && e.status === 409) {
            throw new Error(`The link ${link.id} cannot be deleted: it has been clicked, and its clicks (and the conversions attributed to them) refer to it. Disable it instead.`);
          }
          throw e;
        }),
    );
    if (done) {
      setMessage(`Link ${link.id} deleted.`);
      reload();
    }
  };

  return { toggle, remove, busy: action.busy, error: action.error, message, clearMessage: () => setMessage(null), created, showCreated: setCreated };
}
