import type { Destination } from '../../api';
import { Badge, KeyValues, Time } from '../../components/ui';
import { Link } from '../../router';
import { describeMatch, describeRetry, describeSigning, describeSuccess } from './describe';

export type DestinationAction = 'pause' | 'resume' | 'test' | 'replay';

/** One destination in the list: its state, what it wants and how it is sent, and the actions the caller's role allows. */
export function DestinationCard({
  destination: d,
  busy,
  canWrite,
  canReplay,
  onAct,
  onEdit,
}: {
  destination: Destination;
  busy: boolean;
  canWrite: boolean;
  canReplay: boolean;
  onAct: (what: DestinationAction) => void;
  onEdit: () => void;
}) {
  return (
    <li className="panel destination">
      <header>
        <h2>{d.name}</h2>
        <div className="badges">
          <Badge value={d.enabled ? 'enabled' : 'disabled'} />
          {d.paused && <Badge value="paused" label={`paused: ${d.paused.reason ?? 'by hand'}`} />}
          {d.consecutiveFailures > 0 && <Badge value="failed" label={`${d.consecutiveFailures} failures in a row`} />}
        </div>
      </header>
      <p className="mono url-line">
        {d.config.method} {d.config.url}
      </p>
      <KeyValues
        rows={[
          ['Wants', describeMatch(d.config)],
          ['Retries', describeRetry(d.config)],
          ['Success', describeSuccess(d.config)],
          ['Signing', describeSigning(d.config)],
          ['Paused since', d.paused ? <Time iso={d.paused.at} /> : null],
        ]}
      />
      <div className="row-actions">
        {canWrite && (
          <button type="button" className="small" onClick={() => onAct('test')} disabled={busy}>
            Test endpoint
          </button>
        )}
        {canWrite &&
          (d.paused ? (
            <button type="button" className="small" onClick={() => onAct('resume')} disabled={busy}>
              Resume
            </button>
          ) : (
            <button type="button" className="small" onClick={() => onAct('pause')} disabled={busy}>
              Pause
            </button>
          ))}
        {canReplay && (
          <button type="button" className="small" onClick={() => onAct('replay')} disabled={busy}>
            Replay failed
          </button>
        )}
        <Link className="button small" to={`/history?destination=${encodeURIComponent(d.id)}`}>
          History
        </Link>
        {canWrite && (
          <button type="button" className="small" onClick={onEdit}>
            Edit
          </button>
        )}
      </div>
    </li>
  );
}
