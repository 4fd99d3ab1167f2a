import { useState } from 'react';
import { api, type Destination, type DestinationTestResult, type Replayed } from '../../api';
import { useAction } from '../../hooks';
import type { DestinationAction } from './DestinationCard';

/** A card's actions (test, pause, resume, replay failed): their busy state, error, message, and the last test's outcome. */
export function useDestinationActions(reload: () => void) {
  const [tested, setTested] = useState<{ destination: Destination; result: DestinationTestResult } | null>(null);
  const [message, setMessage] = useState<string | null>(null);
  const action = useAction();

  const act = async (destination: Destination, what: DestinationAction) => {
    setMessage(null);
    if (what === 'test') {
      const result = await action.run(() => api<DestinationTestResult>(`/destinations/${destination.id}/test`, { method: 'POST' }));
      if (result) setTested({ destination, result });
      return;
    }
    if (what === 'replay') {
      if (!window.confirm(`Replay every failed delivery of ${destination.name}?`)) return;
      const done = await action.run(() => api<Replayed>('/deliveries/replay', { body: { destination: destination.id, state: 'failed' } }));
      if (done) setMessage(`${done.replayed} failed deliver${done.replayed === 1 ? 'y' : 'ies'} of ${destination.name} queued again.`);
      return;
    }
    const done = await action.run(() => api<Destination>(`/destinations/${destination.id}/${what}`, { method: 'POST' }));
    if (done) {
      setMessage(what === 'pause' ? `${destination.name} is paused: its deliveries wait.` : `${destination.name} is resumed: its waiting deliveries go out.`);
      reload();
    }
  };

  return { act, busy: action.busy, error: action.error, message, tested, closeTest: () => setTested(null) };
}
