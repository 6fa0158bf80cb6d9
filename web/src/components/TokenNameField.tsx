/**
 * The optional name of a token being issued, shared by the Connect page and a user's Tokens
 * panel so both ask for it the same way.
 */
export function TokenNameField({
  label,
  value,
  onChange,
}: {
  label: string;
  value: string;
  onChange: (value: string) => void;
}) {
  return (
    <label>
      <span>
        {label} <span className="muted">(optional)</span>
      </span>
      <input value={value} onChange={(e) => onChange(e.target.value)} autoComplete="off" spellCheck={false} />
    </label>
  );
}

/** The request's `token_name` for what was typed: omitted when blank, else trimmed. */
export function tokenName(name: string): { token_name?: string } {
  return name.trim() ? { token_name: name.trim() } : {};
}
