import { STATUS_CODES } from 'node:http';
import type { Socket } from 'node:net';
import { type ErrorShape, type GatewayErrorKind, plainError } from './errors.js';

/** Node's HTTP parser refusals the gateway answers itself, by the error's code. */
const REFUSALS: Record<string, [status: number, kind: GatewayErrorKind, message: string]> = {
  HPE_HEADER_OVERFLOW: [431, 'too_large', 'request headers (or the URL) are too large'],
  ERR_HTTP_REQUEST_TIMEOUT: [
    408,
    'invalid_request',
    'the request was not received in time (AIBRIDGE_BODY_TIMEOUT)',
  ],
};

/** What Node hands a `clientError` listener: the error, maybe with the bytes it choked on. */
type ClientError = Error & { code?: string; rawPacket?: unknown };
/** A socket whose request was parsed far enough to have a response (then its URL is known). */
type ServingSocket = Socket & { _httpMessage?: { req?: { url?: string } } };

/**
 * Node-level refusals (431 headers too large, 408 too slow, 400 unparseable) in the provider's
 * error shape on gateway paths, so agents show them like any other error, and in the API's
 * `{"message"}` envelope elsewhere. The path comes from the request line when Node has it.
 */
export function clientErrorHandler(
  shapeFor: (url: string) => ErrorShape | undefined,
): (error: ClientError, socket: Socket) => void {
  return (error, socket) => {
    if (error.code === 'ECONNRESET' || socket.destroyed) return;
    const url = (socket as ServingSocket)._httpMessage?.req?.url ?? requestLineUrl(error.rawPacket);
    const shape = (url === undefined ? undefined : shapeFor(url)) ?? plainError;
    const [status, kind, message] = REFUSALS[error.code ?? ''] ?? [
      400,
      'invalid_request',
      'malformed HTTP request',
    ];
    const body = shape(kind, message);
    if (socket.writable) {
      socket.write(
        `HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
      );
    }
    socket.destroy();
  };
}

function requestLineUrl(raw: unknown): string | undefined {
  if (!Buffer.isBuffer(raw)) return undefined;
  return /^[A-Z]+ (\S+) HTTP\//.exec(raw.subarray(0, 8192).toString('latin1'))?.[1];
}
