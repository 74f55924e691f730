/** Recorder state of one camera, as shown in the API and on the page. */
export interface CameraStatus {
  readonly state: 'disabled' | 'connecting' | 'recording' | 'retrying' | 'stopped';
  readonly sinceMs: number;
  /** Last ingest error, credentials scrubbed. */
  readonly lastError: string | null;
  /** When the next reconnect attempt is due, while retrying. */
  readonly retryAtMs: number | null;
  readonly ingest: string;
  readonly bytes: number;
  readonly fragments: number;
}
