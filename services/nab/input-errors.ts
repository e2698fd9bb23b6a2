import { DetectInputError } from './detect-jobs.js';
import { MissingLabelsError } from './nab-corpus-score.js';
import { WindowsFileError } from './nab-windows.js';
import { CsvFormatError } from './timestamp-value-csv.js';

/** Errors caused by what the user pointed the command at (reported without a stack, exit 2). */
export function isInputError(err: unknown): err is Error {
  return (
    err instanceof DetectInputError ||
    err instanceof CsvFormatError ||
    err instanceof WindowsFileError ||
    err instanceof MissingLabelsError
  );
}
