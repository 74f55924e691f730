/**
 * A progress bar for long CLI work, on stderr. On a terminal it redraws one line; elsewhere
 * (CI, pipes) it prints a line at every tenth, so logs stay short.
 */
export function progressBar(stream: NodeJS.WritableStream & { isTTY?: boolean }, label: string): (done: number, total: number) => void {
  let lastTenth = -1;
  return (done, total) => {
    const ratio = total === 0 ? 1 : Math.min(1, done / total);
    if (stream.isTTY) {
      const width = 30;
      const filled = Math.round(ratio * width);
      stream.write(`\r${label} [${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${Math.floor(ratio * 100)}% (${done}/${total})${done >= total ? '\n' : ''}`);
      return;
    }
    const tenth = Math.floor(ratio * 10);
    if (tenth === lastTenth && done < total) return;
    lastTenth = tenth;
    stream.write(`${label}: ${Math.floor(ratio * 100)}% (${done}/${total})\n`);
  };
}
