import { type FormEvent, type ReactNode, useEffect, useId, useState } from 'react';
import { useDistinct, useUsers } from '../api/queries.js';
import { getQueryValue, setQueryValue } from '../lib/query.js';
import { isoToLocalInput, localInputToIso, RANGE_PRESETS, type RangePreset } from '../lib/range.js';
import type { ListParams } from './useListParams.js';

interface FilterBarProps {
  params: ListParams;
  /** Owners and auditors pick among users; members only ever see themselves. */
  canPickUser: boolean;
  /** "sessions" shows the reference's presets "All sessions" / "My sessions". */
  presets?: string;
  /** The usage page has its own range picker and needs no custom times. */
  customRange?: boolean;
}

const PROVIDERS = ['anthropic', 'openai'];
/** The `q` keys the pickers set (the time picker counts apart: a preset is not in `q`). */
const PICKED_KEYS = ['initiator', 'provider', 'model', 'client'];

/**
 * The filter bar of the list pages: the raw `q` text (anything the API accepts) and pickers
 * that each edit one key of it, so the two never disagree.
 */
export function FilterBar({ params, canPickUser, presets, customRange = true }: FilterBarProps) {
  const { filter, setFilter } = params;
  const [text, setText] = useState(filter);
  useEffect(() => setText(filter), [filter]);
  const submit = (event: FormEvent) => {
    event.preventDefault();
    setFilter(text.trim());
  };
  const pick = (key: string) => (value: string) =>
    setFilter((current) => setQueryValue(current, key, value || undefined));
  const initiator = getQueryValue(filter, 'initiator');
  const id = useId();
  // On phones the pickers fold behind a button that says how many are in use.
  const [open, setOpen] = useState(false);
  const timeSet =
    params.range !== params.defaultRange ||
    Boolean(getQueryValue(filter, 'started_after') || getQueryValue(filter, 'started_before'));
  const inUse = PICKED_KEYS.filter((key) => getQueryValue(filter, key)).length + (timeSet ? 1 : 0);
  return (
    <section className="filter-bar" aria-label="Filters">
      {presets ? (
        <fieldset className="presets">
          <legend className="visually-hidden">Presets</legend>
          <button type="button" className="chip" aria-pressed={!filter} onClick={() => setFilter('')}>
            All {presets}
          </button>
          <button
            type="button"
            className="chip"
            aria-pressed={filter === 'initiator:me'}
            onClick={() => setFilter('initiator:me')}
          >
            My {presets}
          </button>
        </fieldset>
      ) : null}
      <search className="filter-search">
        <form onSubmit={submit}>
          <label htmlFor={`${id}-q`} className="visually-hidden">
            Filter
          </label>
          <input
            id={`${id}-q`}
            type="search"
            value={text}
            placeholder='e.g. client:"Claude Code" model:claude-sonnet-4-5'
            onChange={(event) => setText(event.target.value)}
            spellCheck={false}
          />
          <button type="submit" className="button">
            Apply
          </button>
          <button
            type="button"
            className="button filters-toggle"
            aria-expanded={open}
            aria-controls={`${id}-pickers`}
            onClick={() => setOpen((was) => !was)}
          >
            Filters{inUse ? ` · ${inUse}` : ''}
          </button>
        </form>
      </search>
      <div id={`${id}-pickers`} className={open ? 'pickers open' : 'pickers'}>
        {canPickUser ? <UserPicker value={initiator} onChange={pick('initiator')} /> : null}
        <Picker
          label="Provider"
          value={getQueryValue(filter, 'provider')}
          options={PROVIDERS}
          onChange={pick('provider')}
        />
        <DistinctPicker
          resource="models"
          label="Model"
          value={getQueryValue(filter, 'model')}
          onChange={pick('model')}
        />
        <DistinctPicker
          resource="clients"
          label="Client"
          value={getQueryValue(filter, 'client')}
          onChange={pick('client')}
        />
        <RangePicker params={params} custom={customRange} />
      </div>
    </section>
  );
}

interface PickerProps {
  label: string;
  value: string | undefined;
  options: Array<string | { value: string; label: string }>;
  onChange: (value: string) => void;
}

function Picker({ label, value, options, onChange }: PickerProps) {
  const all = options.map((o) => (typeof o === 'string' ? { value: o, label: o } : o));
  // A value typed in the text box that the list does not know still shows as selected.
  if (value && !all.some((o) => o.value === value)) all.push({ value, label: value });
  return (
    <Field label={label}>
      {(id) => (
        <select id={id} value={value ?? ''} onChange={(event) => onChange(event.target.value)}>
          <option value="">Any</option>
          {all.map((o) => (
            <option key={o.value} value={o.value}>
              {o.label}
            </option>
          ))}
        </select>
      )}
    </Field>
  );
}

/**
 * A labelled control; the label points at it by id (rather than wrapping it), so the control's
 * accessible name is the label alone, not the label plus the selected option.
 */
function Field({ label, children }: { label: string; children: (id: string) => ReactNode }) {
  const id = useId();
  return (
    <div className="picker">
      <label htmlFor={id} className="picker-label">
        {label}
      </label>
      {children(id)}
    </div>
  );
}

function DistinctPicker(props: { resource: 'models' | 'clients' } & Omit<PickerProps, 'options'>) {
  const { data } = useDistinct(props.resource);
  return <Picker label={props.label} value={props.value} options={data ?? []} onChange={props.onChange} />;
}

function UserPicker({ value, onChange }: { value: string | undefined; onChange: (value: string) => void }) {
  const { data } = useUsers(true);
  const options = [
    { value: 'me', label: 'Me' },
    ...(data?.users ?? []).map((u) => ({
      value: u.username,
      label: u.name ? `${u.name} (${u.username})` : u.username,
    })),
  ];
  return <Picker label="User" value={value} options={options} onChange={onChange} />;
}

/** Presets, or explicit from/to times that go into `q` as started_after/started_before. */
function RangePicker({ params, custom }: { params: ListParams; custom: boolean }) {
  const { filter, range, setRange, setFilter } = params;
  const after = getQueryValue(filter, 'started_after');
  const before = getQueryValue(filter, 'started_before');
  const isCustom = range === 'all' && Boolean(after || before);
  const [showCustom, setShowCustom] = useState(isCustom);
  useEffect(() => setShowCustom(isCustom), [isCustom]);
  const choose = (value: string) => {
    if (value === 'custom') {
      setShowCustom(true);
      if (range !== 'all') setRange('all');
    } else {
      setShowCustom(false);
      setRange(value as RangePreset);
    }
  };
  const setTime = (key: string) => (value: string) =>
    setFilter((current) => setQueryValue(current, key, localInputToIso(value)));
  return (
    <>
      <Field label="Time">
        {(id) => (
          <select
            id={id}
            value={showCustom ? 'custom' : range}
            onChange={(event) => choose(event.target.value)}
          >
            {RANGE_PRESETS.map((p) => (
              <option key={p.value} value={p.value}>
                {p.label}
              </option>
            ))}
            {custom ? <option value="custom">Custom…</option> : null}
          </select>
        )}
      </Field>
      {showCustom
        ? (
            [
              ['From', 'started_after', after],
              ['To', 'started_before', before],
            ] as const
          ).map(([label, key, value]) => (
            <Field key={key} label={label}>
              {(id) => (
                <input
                  id={id}
                  type="datetime-local"
                  value={isoToLocalInput(value)}
                  onChange={(e) => setTime(key)(e.target.value)}
                />
              )}
            </Field>
          ))
        : null}
    </>
  );
}
