// graphile-worker's logger for the outbound peer and the bench that queues its jobs: errors
// and warnings only. Its default logs a line per completed job, which a deployment tuned for
// throughput turns off and which would cost the peer CPU the hub does not spend.
import { Logger } from 'graphile-worker';

export const quietLogger = new Logger(() => (level, message) => {
  if (String(level) === 'error' || String(level) === 'warning') console.error(`graphile-worker ${String(level)}: ${message}`);
});
