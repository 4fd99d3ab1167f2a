import { useState } from 'react';
import { PageHeader } from '../../components/ui';
import { ApiSecrets } from './ApiSecrets';
import { NamedList } from './NamedList';
import { TrackingLinks } from './TrackingLinks';

export function CatalogPage() {
  // Bumped when apps or offers change, so that the link form's choices follow.
  const [version, setVersion] = useState(0);
  const changed = () => setVersion((v) => v + 1);
  return (
    <div>
      <PageHeader title="Catalog" />
      <p className="lead">Store apps (pid) and offers (games, gid) that postbacks refer to, tracking links for partners, and the API secrets partners authenticate with.</p>
      <div className="catalog-grid">
        <NamedList kind="apps" title="Store apps" idLabel="pid" onChange={changed} />
        <NamedList kind="offers" title="Offers and games" idLabel="id" onChange={changed} />
      </div>
      <TrackingLinks catalogVersion={version} />
      <ApiSecrets />
    </div>
  );
}
