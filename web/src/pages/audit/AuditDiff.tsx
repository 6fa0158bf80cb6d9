import type { AuditEntry } from '../../api/types.js';

type Snapshot = Record<string, unknown> | null;

/** A field's value as one short line of text. */
function show(value: unknown): string {
  if (value === undefined) return '—';
  return typeof value === 'string' ? value : JSON.stringify(value);
}

/** The fields that differ between before and after (every field for a creation or deletion). */
function changedFields(before: Snapshot, after: Snapshot): string[] {
  const names = [...new Set([...Object.keys(before ?? {}), ...Object.keys(after ?? {})])];
  return names.filter(
    (name) => name !== 'updated_at' && JSON.stringify(before?.[name]) !== JSON.stringify(after?.[name]),
  );
}

/** What an audit entry changed, field by field: the old value struck through, the new one beside it. */
export function AuditDiff({ entry }: { entry: AuditEntry }) {
  const fields = changedFields(entry.before, entry.after);
  if (fields.length === 0) return <span className="muted">no field changed</span>;
  return (
    <dl className="audit-diff">
      {fields.map((name) => (
        <div key={name} className="audit-diff-row">
          <dt>{name}</dt>
          <dd>
            {entry.before && name in entry.before ? (
              <del title={`${name} before`}>{show(entry.before[name])}</del>
            ) : null}
            {entry.before && entry.after ? ' → ' : null}
            {entry.after && name in entry.after ? (
              <ins title={`${name} after`}>{show(entry.after[name])}</ins>
            ) : null}
          </dd>
        </div>
      ))}
    </dl>
  );
}
