/**
 * The connection-local memory OpenAI's WebSocket mode keeps: the last response's full input and
 * output, so a turn may send only new items with `previous_response_id` (Codex does, with
 * `store: false`). aibridge bridges each turn to an HTTP request, where a `store: false`
 * response cannot be continued by id, so such a turn's input is spelled out in full.
 */
export class ResponseChain {
  private last: { id: string; input: unknown[]; local: boolean } | undefined;

  /**
   * The upstream body for a turn: `request` itself, or — when it continues the last response of
   * this connection and that response was not stored (or was a warm-up only aibridge knows) —
   * the full input in its place.
   */
  expand(request: Record<string, unknown>): Record<string, unknown> {
    const previous = request.previous_response_id;
    if (!this.last || previous !== this.last.id) return request;
    if (request.store !== false && !this.last.local) return request;
    const { previous_response_id: _dropped, ...rest } = request;
    return { ...rest, input: [...this.last.input, ...inputItems(request.input)] };
  }

  /** Remembers a completed turn: the input it was sent with, then its output items. */
  completed(
    sent: Record<string, unknown>,
    response: { id?: string; output?: unknown[] } | undefined,
    local = false,
  ): void {
    if (!response?.id) {
      this.last = undefined;
      return;
    }
    this.last = { id: response.id, input: [...inputItems(sent.input), ...(response.output ?? [])], local };
  }

  /** A failed turn: OpenAI evicts the cached response too, so the next one must start afresh. */
  forget(): void {
    this.last = undefined;
  }
}

function inputItems(input: unknown): unknown[] {
  if (Array.isArray(input)) return input;
  if (typeof input === 'string') {
    return [{ type: 'message', role: 'user', content: [{ type: 'input_text', text: input }] }];
  }
  return [];
}
