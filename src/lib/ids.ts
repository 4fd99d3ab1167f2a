import { v7 } from 'uuid';

/**
 * Time-ordered ids (UUIDv7): new rows land at the end of every index instead of on a random
 * page, and ids sort by creation time so they double as pagination cursors.
 */
export function newId(): string {
  return v7();
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** A UUID of any version, either case (the user ids of level postbacks). */
export function isUuid(text: string): boolean {
  return UUID.test(text);
}
