import { useRef, useState, type FormEvent } from 'react';
import { api, ApiError, errorText, type Adjusted } from '../../api';
import { Dialog, ErrorBox, Field, FormActions } from '../../components/ui';
import { integer } from '../../format';

type Problem = { field: 'coins' | 'reason' | null; message: string };

/** The "Manual adjustment" button and its dialog: credit or debit whole coins, with the reason. */
export function ManualAdjustment({ userId, coins, onAdjusted }: { userId: string; coins: number; onAdjusted: (message: string) => void }) {
  const [open, setOpen] = useState(false);
  return (
    <>
      <button type="button" onClick={() => setOpen(true)}>
        Manual adjustment
      </button>
      {open && (
        <AdjustmentForm
          userId={userId}
          coins={coins}
          onClose={() => setOpen(false)}
          onDone={(message) => {
            setOpen(false);
            onAdjusted(message);
          }}
        />
      )}
    </>
  );
}

function AdjustmentForm({ userId, coins, onClose, onDone }: { userId: string; coins: number; onClose: () => void; onDone: (message: string) => void }) {
  const [amount, setAmount] = useState('');
  const [reason, setReason] = useState('');
  const [problem, setProblem] = useState<Problem | null>(null);
  const [busy, setBusy] = useState(false);
  const fields = { coins: useRef<HTMLInputElement>(null), reason: useRef<HTMLTextAreaElement>(null) };
  const refuse = (next: Problem) => {
    setProblem(next);
    if (next.field !== null) fields[next.field].current?.focus();
  };

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    const delta = Number(amount);
    if (amount.trim() === '' || !Number.isInteger(delta)) {
      refuse({ field: 'coins', message: 'Coins must be a whole number: positive to credit, negative to debit.' });
      return;
    }
    if (reason.trim() === '') {
      refuse({ field: 'reason', message: 'Say why: the user sees the reason in the ledger.' });
      return;
    }
    setBusy(true);
    setProblem(null);
    try {
      const done = await api<Adjusted>(`/users/${encodeURIComponent(userId)}/adjustments`, { body: { coins: delta, reason: reason.trim() } });
      onDone(`${delta > 0 ? 'Credited' : 'Debited'} ${integer(Math.abs(delta))} coins by hand: the balance is now ${integer(done.user.coins)} coins.`);
    } catch (e) {
      const field = e instanceof ApiError && (e.field === 'coins' || e.field === 'reason') ? e.field : null;
      refuse({ field, message: errorText(e) });
    } finally {
      setBusy(false);
    }
  };

  const errorOf = (field: Problem['field']) => (problem !== null && problem.field === field ? problem.message : null);
  return (
    <Dialog title="Manual adjustment" open onClose={onClose}>
      <form className="form" onSubmit={(e) => void submit(e)} noValidate>
        <Field label="Coins" hint={`Whole coins: positive to credit, negative to debit. A debit cannot take the balance (${integer(coins)} coins now) below zero.`} error={errorOf('coins')}>
          {(id, d) => <input ref={fields.coins} id={id} aria-describedby={d} aria-invalid={errorOf('coins') !== null} type="number" inputMode="numeric" step={1} value={amount} onChange={(e) => setAmount(e.target.value)} placeholder="e.g. 50 or -20" />}
        </Field>
        <Field label="Reason" hint="Shown to the user with the entry, as “Manual adjustment: …”." error={errorOf('reason')}>
          {(id, d) => <textarea ref={fields.reason} id={id} aria-describedby={d} aria-invalid={errorOf('reason') !== null} rows={3} maxLength={500} value={reason} onChange={(e) => setReason(e.target.value)} placeholder="e.g. goodwill for the missing level 10 reward" />}
        </Field>
        <ErrorBox error={problem !== null && problem.field === null ? problem.message : null} />
        <FormActions busy={busy} label="Adjust balance" busyLabel="Adjusting…" onCancel={onClose} />
      </form>
    </Dialog>
  );
}
