/**
 * Every failure of the package: HTTP, network, timeout or protocol.
 */
export class TwinError extends Error {
  /** HTTP status; 0 when there was none (network, timeout, protocol). */
  readonly status: number;
  /** Stable machine-readable name, e.g. `unauthorized`, `network`, `timeout`. */
  readonly code: string;
  /** The server's `details`, when it sent any; otherwise null. */
  readonly details: unknown;
  /** Whether trying again later may succeed (network errors, timeouts, 429, 5xx). */
  readonly retryable: boolean;
}
export class Emitter {}
