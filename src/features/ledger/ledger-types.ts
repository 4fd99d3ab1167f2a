export interface UserRecord {
  id: string;
  appId: string | null;
  deviceId: string | null;
  coins: number;
  createdAt: number;
  updatedAt: number;
}

export interface LedgerEntryRecord {
  id: string;
  userId: string;
  eventId: string | null;
  delta: number;
  kind: string;
  createdAt: number;
}
