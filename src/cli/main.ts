import { AppError } from '../lib/errors.ts';
import type { CliIo, Command } from './args.ts';
import { serveCommand } from './serve.ts';
import { camsimCommand } from './camsim.ts';
import { cameraCommand } from './camera.ts';
import { inventoryCommand } from './inventory.ts';
import { firmwareCommand } from './firmware.ts';
import { advisoriesCommand } from './advisories.ts';
import { sbomCommand } from './sbom.ts';
import { keysCommand } from './keys.ts';
import { vaultCommand } from './vault.ts';
import { storageCommand } from './storage.ts';
import { auditCommand } from './audit.ts';
import { exportCommand } from './export.ts';
import { userCommand } from './user.ts';
import { tokenCommand } from './token.ts';
import { accessCommand } from './access.ts';
import { governanceCommand } from './governance.ts';
import { witnessCommand } from './witness.ts';
import { residencyCommand } from './residency.ts';
import { backupCommand } from './backup.ts';
import { restoreCommand } from './restore.ts';
import { terminalText } from './terminal-text.ts';

const commands: readonly Command[] = [serveCommand, camsimCommand, cameraCommand, keysCommand, vaultCommand, storageCommand, auditCommand, exportCommand, userCommand, tokenCommand, accessCommand, inventoryCommand, firmwareCommand, advisoriesCommand, sbomCommand, governanceCommand, witnessCommand, residencyCommand, backupCommand, restoreCommand];

function help(): string {
  const width = Math.max(...commands.map((c) => c.name.length));
  return `Usage: custos <command> [options]

Custos: a secure, NIS2-ready video management system.

Commands:
${commands.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`).join('\n')}

Run "custos <command> --help" for the options of a command.`;
}

/** CLI entry: dispatches to a command and turns errors into a one-line reason and exit code. */
export async function main(argv: string[], io: CliIo = { stdout: process.stdout, stderr: process.stderr, stdin: process.stdin, env: process.env }): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    io.stdout.write(`${help()}\n`);
    return name === undefined ? 2 : 0;
  }
  const command = commands.find((c) => c.name === name);
  if (!command) {
    io.stderr.write(`custos: unknown command "${name}"; run custos --help\n`);
    return 2;
  }
  try {
    return await command.run(rest, io);
  } catch (e) {
    if (e instanceof AppError) {
      // An error can quote stored values (another camera's name): escaped for the terminal.
      io.stderr.write(`custos ${name}: ${terminalText(e.message)}\n`);
      return e.code === 'VALIDATION_FAILED' || e.code === 'CONFIG_INVALID' ? 2 : 1;
    }
    const system = e as NodeJS.ErrnoException;
    if (typeof system.syscall === 'string') {
      // An operating-system refusal (port in use, permission denied): one line says it all.
      io.stderr.write(`custos ${name}: ${system.message}\n`);
      return 1;
    }
    io.stderr.write(`custos ${name}: unexpected error: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
    return 1;
  }
}
