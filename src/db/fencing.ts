/**
 * The database refused a write of a camera's index rows because it carries an older lease token
 * than the camera's lease (migration 0020's trigger): the writer lost the camera to another
 * recorder. Such a write MUST NOT be retried; the recorder stops writing the camera.
 */
export function isFencedWrite(e: unknown): boolean {
  if (typeof e !== 'object' || e === null) return false;
  const { code, message } = e as { code?: unknown; message?: unknown };
  return code === 'CU001' || (typeof message === 'string' && message.includes('CUSTOS_FENCED'));
}
