/** An export of one camera's time range to an MP4 file. */
export interface ExportJob {
  readonly id: string;
  readonly cameraId: string;
  readonly fromMs: number;
  readonly toMs: number;
  readonly state: 'pending' | 'running' | 'done' | 'failed';
  readonly bytes: number | null;
  readonly error: string | null;
  readonly createdMs: number;
  readonly finishedMs: number | null;
}
