import { spawn } from 'node:child_process';
import { createReadStream } from 'node:fs';
import { mkdir, open, rm, stat, writeFile, rename } from 'node:fs/promises';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { AppError } from '../lib/errors.ts';
import type { SegmentStore } from '../recording/segment-store.ts';
import type { Selection } from './hls-playlist.ts';

/** Turns selected fragments into one MP4 file and serves it back. */
export interface Exporter {
  /** Renders the export `id`; resolves with its size in bytes. */
  render(id: string, selections: readonly Selection[]): Promise<number>;
  /** Opens a finished export for download. */
  open(id: string): Promise<{ stream: Readable; size: number }>;
  /** Deletes an export's files, finished or not. */
  remove(id: string): Promise<void>;
}

/**
 * Exports with ffmpeg, remuxing without re-encoding (`-c copy`): each segment's init and chosen
 * fragments are written as an fMP4 part, then ffmpeg's concat demuxer joins the parts into a
 * progressive MP4 with `+faststart`. Parts and output live under `dir` and are plaintext until
 * the vault issue encrypts exports; parts are deleted when the export finishes.
 */
export function createFfmpegExporter(opts: { ffmpegPath: string; dir: string; store: SegmentStore }): Exporter {
  const output = (id: string) => join(opts.dir, `${id}.mp4`);
  return {
    async render(id, selections) {
      const work = join(opts.dir, `${id}.parts`);
      await mkdir(work, { recursive: true });
      try {
        const list: string[] = [];
        for (const [i, selection] of selections.entries()) {
          const partPath = join(work, `part-${i}.mp4`);
          const file = await open(partPath, 'w');
          try {
            await file.write(await opts.store.read(selection.segment.objectKey, 0, selection.segment.initSize));
            for (const f of selection.fragments) await file.write(await opts.store.read(selection.segment.objectKey, f.offset, f.size));
          } finally {
            await file.close();
          }
          list.push(`file '${partPath.replace(/'/g, "'\\''")}'`);
        }
        const listPath = join(work, 'list.txt');
        await writeFile(listPath, `${list.join('\n')}\n`);
        const tmp = `${output(id)}.tmp`;
        await runFfmpeg(opts.ffmpegPath, ['-hide_banner', '-nostdin', '-loglevel', 'error', '-f', 'concat', '-safe', '0', '-i', listPath, '-map', '0', '-c', 'copy', '-movflags', '+faststart', '-f', 'mp4', '-y', tmp]);
        await rename(tmp, output(id));
        return (await stat(output(id))).size;
      } finally {
        await rm(work, { recursive: true, force: true });
      }
    },
    async open(id) {
      try {
        const { size } = await stat(output(id));
        return { stream: createReadStream(output(id)), size };
      } catch {
        throw new AppError('NOT_FOUND', 'export file not found');
      }
    },
    async remove(id) {
      await rm(output(id), { force: true });
      await rm(`${output(id)}.tmp`, { force: true });
      await rm(join(opts.dir, `${id}.parts`), { recursive: true, force: true });
    },
  };
}

function runFfmpeg(ffmpegPath: string, args: string[]): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(ffmpegPath, args, { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.setEncoding('utf8').on('data', (d: string) => {
      stderr = (stderr + d).slice(-2000);
    });
    child.on('error', (e) => reject(new AppError('EXPORT_FAILED', `ffmpeg could not start: ${e.message}`)));
    child.on('close', (code) => {
      if (code === 0) resolve();
      else reject(new AppError('EXPORT_FAILED', `ffmpeg exited with ${code}: ${stderr.trim().split('\n').pop() ?? ''}`));
    });
  });
}
