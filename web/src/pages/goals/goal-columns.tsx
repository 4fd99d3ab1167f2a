import type { ColumnDef } from '@tanstack/react-table';
import type { Goal } from '../../api';
import { Badge, CopyButton } from '../../components/ui';
import { bonusText, conditionText, kindText, windowText } from './goal-words';

/** The goals table's columns; the actions edit a goal, enable or disable it, delete it. */
export function goalColumns({ canWrite, busy, onEdit, onToggle, onRemove }: { canWrite: boolean; busy: boolean; onEdit: (goal: Goal) => void; onToggle: (goal: Goal) => void; onRemove: (goal: Goal) => void }): Array<ColumnDef<Goal>> {
  return [
    {
      id: 'goal',
      header: 'Goal',
      cell: (c) => (
        <div className="goal-name">
          <strong>{c.row.original.name}</strong>
          <div className="id-line">
            <span className="mono muted truncate" title={c.row.original.id}>
              {c.row.original.id}
            </span>
            <CopyButton text={c.row.original.id} label="Copy id" />
          </div>
        </div>
      ),
    },
    { id: 'kind', header: 'Kind', cell: (c) => <span className="nowrap">{kindText(c.row.original.config)}</span> },
    {
      id: 'conditions',
      header: 'Conditions',
      cell: (c) => {
        const { config } = c.row.original;
        if (config.kind === 'count') return <span className="condition-text">{conditionText(config.condition)}</span>;
        return (
          <ol className="condition-words">
            {config.conditions.map((condition, i) => (
              <li key={i}>{conditionText(condition)}</li>
            ))}
          </ol>
        );
      },
    },
    { id: 'window', header: 'Window', cell: (c) => <span className="nowrap">{windowText(c.row.original.config.windowSeconds)}</span> },
    { id: 'bonus', header: 'Bonus', cell: (c) => <span className="nowrap">{bonusText(c.row.original.config)}</span> },
    { id: 'state', header: 'State', cell: (c) => <Badge value={c.row.original.enabled ? 'enabled' : 'disabled'} /> },
    ...(canWrite ? [actionsColumn({ busy, onEdit, onToggle, onRemove })] : []),
  ];
}

function actionsColumn({ busy, onEdit, onToggle, onRemove }: { busy: boolean; onEdit: (goal: Goal) => void; onToggle: (goal: Goal) => void; onRemove: (goal: Goal) => void }): ColumnDef<Goal> {
  return {
      id: 'actions',
      header: 'Actions',
      cell: (c) => {
        const goal = c.row.original;
        return (
          <div className="row-actions nowrap">
            <button type="button" className="small" onClick={() => onEdit(goal)} aria-label={`Edit goal ${goal.name}`}>
              Edit
            </button>
            <button type="button" className="small" onClick={() => onToggle(goal)} disabled={busy} aria-label={`${goal.enabled ? 'Disable' : 'Enable'} goal ${goal.name}`}>
              {goal.enabled ? 'Disable' : 'Enable'}
            </button>
            <button type="button" className="small" onClick={() => onRemove(goal)} disabled={busy} aria-label={`Delete goal ${goal.name}`}>
              Delete
            </button>
          </div>
        );
      },
  };
}
