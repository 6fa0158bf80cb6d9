import { type FormEvent, useState } from 'react';
import { useSetPrice } from '../../api/queries.js';
import { FormError } from '../../components/FormError.js';

/** "2.4" dollars per million tokens → 2,400,000 micro-dollars, exactly; undefined when blank. */
function microsPerMillion(text: string): number | undefined {
  const trimmed = text.trim();
  if (!/^\d{1,9}(\.\d{1,6})?$/.test(trimmed)) return undefined;
  const [whole = '0', fraction = ''] = trimmed.split('.');
  return Number(whole) * 1_000_000 + Number(fraction.padEnd(6, '0'));
}

/**
 * Owners price a model here (a negotiated discount, a self-hosted or unpriced model): rates in
 * dollars per million tokens, from now on. Costs already recorded keep their rates; only new
 * interceptions use the override.
 */
export function PriceForm({ model: initial = '' }: { model?: string }) {
  const [model, setModel] = useState(initial);
  const [input, setInput] = useState('');
  const [output, setOutput] = useState('');
  const [cacheRead, setCacheRead] = useState('');
  const [note, setNote] = useState('');
  const [saved, setSaved] = useState<string | undefined>();
  const set = useSetPrice();
  const submit = (event: FormEvent) => {
    event.preventDefault();
    const rates = { input: microsPerMillion(input), output: microsPerMillion(output) };
    if (rates.input === undefined || rates.output === undefined) return;
    const read = microsPerMillion(cacheRead);
    set.mutate(
      {
        model: model.trim(),
        note,
        rates: {
          input: rates.input,
          output: rates.output,
          ...(read === undefined ? {} : { cache_read: read }),
        },
      },
      { onSuccess: () => setSaved(model.trim()) },
    );
  };
  const rate = (label: string, value: string, change: (v: string) => void, required = true) => (
    <label>
      {label}
      <input
        required={required}
        inputMode="decimal"
        pattern="\d+(\.\d{1,6})?"
        value={value}
        onChange={(e) => change(e.target.value)}
        placeholder="$ per million tokens"
      />
    </label>
  );
  return (
    <form className="card form" onSubmit={submit} aria-labelledby="price-form-title">
      <h2 id="price-form-title">Set a price</h2>
      <p className="small muted">
        Applies to interceptions that start from now on; recorded costs keep their rates.
      </p>
      <label>
        Model
        <input required value={model} onChange={(e) => setModel(e.target.value)} spellCheck={false} />
      </label>
      {rate('Input ($/MTok)', input, setInput)}
      {rate('Output ($/MTok)', output, setOutput)}
      {rate('Cache read ($/MTok, optional)', cacheRead, setCacheRead, false)}
      <label>
        <span>
          Note <span className="muted">(optional)</span>
        </span>
        <input value={note} onChange={(e) => setNote(e.target.value)} />
      </label>
      <FormError error={set.error} />
      {saved && !set.isPending && !set.error ? (
        <p role="status" data-testid="price-saved">
          Price of <code>{saved}</code> set.
        </p>
      ) : null}
      <button type="submit" className="button button-primary" disabled={set.isPending}>
        Set price
      </button>
    </form>
  );
}
