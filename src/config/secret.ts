import { inspect } from 'node:util';

/**
 * A secret value (password, token, connection string with a password). It prints, logs and
 * serialises as `[redacted]`; only `reveal()` gives the value, and callers MUST NOT log it.
 */
export class Secret {
  readonly #value: string;

  constructor(value: string) {
    this.#value = value;
  }

  /** The secret value itself. */
  reveal(): string {
    return this.#value;
  }

  toString(): string {
    return '[redacted]';
  }

  toJSON(): string {
    return '[redacted]';
  }

  [inspect.custom](): string {
    return '[redacted]';
  }
}
