export interface DestinationRecord {
  id: string;
  name: string;
  config: Record<string, unknown>;
  secretsCiphertext: string | null;
  enabled: boolean;
  pausedAt: number | null;
  pauseReason: string | null;
  consecutiveFailures: number;
  createdAt: number;
  updatedAt: number;
}

export type DestinationPatch = Partial<Pick<DestinationRecord, 'name' | 'config' | 'secretsCiphertext' | 'enabled'>>;
