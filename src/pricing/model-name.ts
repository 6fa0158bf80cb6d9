/**
 * The model name to look a price up by: lower case, without a routing prefix that agents and
 * SDKs put in front (`anthropic/claude-…`, `openai/gpt-…`, `models/gemini-…`, Bedrock's
 * `us.anthropic.claude-…`). Dated snapshots and aliases are left to the book's own match rules.
 */
export function priceableModelName(model: string): string {
  let name = model.trim().toLowerCase();
  const slash = name.lastIndexOf('/');
  if (slash >= 0) name = name.slice(slash + 1);
  const bedrock = /^(?:[a-z]{2}\.)?anthropic\.(claude-.*?)(?:-v\d+(?::\d+)?)?$/.exec(name);
  if (bedrock?.[1]) name = bedrock[1];
  return name;
}
