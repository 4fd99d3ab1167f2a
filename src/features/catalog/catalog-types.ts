export interface AppRecord {
  pid: string;
  name: string | null;
  createdAt: number;
}

export interface OfferRecord {
  id: string;
  name: string | null;
  createdAt: number;
}
