export interface ApiSecretRecord {
  id: string;
  name: string | null;
  prefix: string;
  createdAt: number;
  revokedAt: number | null;
}
