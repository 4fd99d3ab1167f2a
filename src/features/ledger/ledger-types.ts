export interface UserRecord {
  id: string;
  appId: string | null;
  deviceId: string | null;
  coins: number;
  createdAt: number;
  updatedAt: number;
}
