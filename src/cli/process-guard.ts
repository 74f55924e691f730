import type { Logger } from '../lib/logger.ts';

/**
 * The last line of defence of `custos serve`: a promise that rejects with no handler is a bug,
 * but Node's default (exit) would stop every camera for it. The guard logs it at error level and
 * the process goes on recording. Every known job catches its own errors (exports, retention,
 * ledger leaves); this MUST NOT be relied on instead. Returns the function that removes it.
 */
export function guardProcess(log: Logger): () => void {
  const onRejection = (reason: unknown) => log.error({ err: reason }, 'unhandled promise rejection (a bug): logged, and recording goes on');
  process.on('unhandledRejection', onRejection);
  return () => process.off('unhandledRejection', onRejection);
}
