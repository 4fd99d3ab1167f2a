import { useState } from 'react';
import type { StoreApp } from '../../api';
import { PageHeader, ReadOnlyNote } from '../../components/ui';
import { ApiSecrets } from './ApiSecrets';
import { AppKeys } from './AppKeys';
import { NamedList } from './NamedList';
import { TrackingLinks } from './TrackingLinks';

export function CatalogPage() {
  // Bumped when apps or offers change, so that the link form's choices follow.
  const [version, setVersion] = useState(0);
  const changed = () => setVersion((v) => v + 1);
  const [keysOf, setKeysOf] = useState<StoreApp | null>(null);
  return (
    <div>
      <PageHeader title="Catalog" />
      <p className="lead">Store apps (pid) and offers (games, gid) that postbacks refer to, tracking links for partners, and the API secrets partners authenticate with. A store app’s keys open the reward app’s own API.</p>
      <ReadOnlyNote scope="config:write">may read the catalog, not change it</ReadOnlyNote>
      <div className="catalog-grid">
        <NamedList
          kind="apps"
          title="Store apps"
          idLabel="pid"
          onChange={changed}
          rowActions={(app) => (
            <button type="button" className="small" onClick={() => setKeysOf(app)} aria-label={`Keys of ${app.pid}`}>
              Keys
            </button>
          )}
        />
        <NamedList kind="offers" title="Offers and games" idLabel="id" onChange={changed} />
      </div>
      <TrackingLinks catalogVersion={version} />
      <ApiSecrets />
      {keysOf && <AppKeys app={keysOf} onClose={() => setKeysOf(null)} />}
    </div>
  );
}
