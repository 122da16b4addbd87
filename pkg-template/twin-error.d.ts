/** Every `TwinError.code`. */
export type TwinErrorCode =
  | 'badRequest' | 'unauthorized' | 'forbidden' | 'notFound' | 'methodNotAllowed'
  | 'timeout' | 'conflict' | 'unprocessableEntity' | 'tooManyRequests' | 'serverError'
  | 'httpError' | 'network' | 'badResponse' | 'invalidArgument' | 'notAuthenticated'
  | 'loggedOut' | 'notStarted' | 'disconnected' | 'protocol' | 'connect' | 'unsupported'
  | 'queueFull' | 'tooManyWaiters' | 'rejected' | 'ackLost' | 'config' | 'forbiddenUrl'
  | 'freed' | 'wasmUnsafeEval';

/**
 * Every failure of the package: HTTP, network, timeout or protocol. Both
 * entries (`twin-panel` and `twin-panel/widget`) throw this error, and
 * `instanceof TwinError` holds for either entry's errors whichever entry the
 * class was imported from.
 */
export class TwinError extends Error {
  /** HTTP status; 0 when there was none (network, timeout, protocol). */
  readonly status: number;
  /** Stable machine-readable name, e.g. `unauthorized`, `network`, `timeout`. */
  readonly code: TwinErrorCode;
  /** The server's `details`, when it sent any; otherwise null. */
  readonly details: unknown;
  /** Whether trying again later may succeed (network errors, timeouts, 429, 5xx). */
  readonly retryable: boolean;
}
