export interface SourceRecord {
  slug: string;
  name: string | null;
  preset: string;
  overrides: Record<string, unknown>;
  secretCiphertext: string | null;
  enabled: boolean;
  createdAt: number;
  updatedAt: number;
}

export type SourcePatch = Partial<Pick<SourceRecord, 'name' | 'preset' | 'overrides' | 'secretCiphertext' | 'enabled'>>;
