/** Reads a schedules file (YAML or JSON); every problem, a missing file or a syntax error too, is a ScheduleFileError naming the file. */
import { readFileSync } from 'node:fs';
import { DefinitionSyntaxError, parseDefinitionText } from '../../dag/parse';
import { DagValidationError } from '../../dag/validate';
import { ScheduleFileError } from './errors';
import { parseSchedules, type ValidateSchedulesOptions } from './spec';

/** Parses the text of a schedules file without validating it; an empty file is `null`. */
export function readSchedulesFile(file: string): unknown {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    const message = e.code === 'ENOENT' ? 'file does not exist' : e.code === 'EISDIR' ? 'is a folder, not a schedules file' : `cannot read the file: ${e.message}`;
    throw new ScheduleFileError([{ path: '(file)', code: 'unreadable', message }], file);
  }
  try {
    return parseDefinitionText(text, { filename: file });
  } catch (err) {
    if (err instanceof DefinitionSyntaxError) {
      // An unquoted `*/5 * * * *` reads as a YAML alias.
      const hint = (message: string): string => (/alias/i.test(message) ? `${message} (quote cron expressions: cron: "*/5 * * * *")` : message);
      throw new ScheduleFileError(err.issues.map((i) => ({ path: i.path, code: 'syntax', message: hint(i.message) })), file);
    }
    // parseDefinitionText refuses an empty document; validation explains what a schedules file needs.
    if (err instanceof DagValidationError) return null;
    throw err;
  }
}

/** Reads and validates a schedules file. */
export function loadSchedulesFile(file: string, opts: Omit<ValidateSchedulesOptions, 'source'> = {}): ReturnType<typeof parseSchedules> {
  return parseSchedules(readSchedulesFile(file), { ...opts, source: file });
}
