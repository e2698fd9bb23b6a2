/**
 * Renders docs/quality.md from the JSON the quality run wrote (services/quality/quality.sh):
 *   tsx services/quality/write-quality-doc.ts --dir .run/quality --out docs/quality.md \
 *     --nab-command "..." [--holdout-command "..."] --all-command "..." [--training-command "..."]
 *     [--holdout-validation-command "..."] [--transfer-command "..." [--transfer-source "..."]]
 *     [--notes services/quality/quality-notes.md] [--gan <dir>/gan.json]
 *     [--walk-forward-holdout-command "..."] [--walk-forward-all-command "..."]
 * Expects <dir>/nab/nab-summary.json, <dir>/risk-all.json + risk-all.details.json and, when a
 * holdout command is given, <dir>/risk-holdout.json + risk-holdout.details.json; with a transfer
 * command, <dir>/transfer.json (`risk-monitor evaluate transfer`); with the walk-forward commands,
 * <dir>/walk-forward-holdout.json / walk-forward-all.json (walk-forward-folds.ts).
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import type { z } from 'zod';
import { ganQualitySchema } from './gan-quality-doc.js';
import { htmOnSameFiles, loadHtmReference, type SameFilesInput } from './htm-same-files.js';
import {
  type NabSummaryJson,
  nabSummarySchema,
  type RiskRun,
  renderQualityDoc,
  riskDetailsSchema,
  riskReportSchema,
  transferReportSchema,
} from './quality-doc.js';
import { walkForwardSchema } from './walk-forward-doc.js';

function readJson<T>(path: string, schema: z.ZodType<T>): T {
  if (!existsSync(path))
    throw new Error(`expected ${path} (written by services/quality/quality.sh), found none`);
  const parsed = schema.safeParse(JSON.parse(readFileSync(path, 'utf8')));
  if (!parsed.success) throw new Error(`${path} is not what the quality run writes: ${parsed.error.message}`);
  return parsed.data;
}

function main(): void {
  const { values } = parseArgs({
    options: {
      dir: { type: 'string', default: '.run/quality' },
      out: { type: 'string', default: 'docs/quality.md' },
      'nab-command': { type: 'string' },
      'walk-forward-holdout-command': { type: 'string' },
      'walk-forward-all-command': { type: 'string' },
      'nab-source': { type: 'string' },
      'holdout-command': { type: 'string' },
      'all-command': { type: 'string' },
      'holdout-validation-command': { type: 'string' },
      'training-command': { type: 'string' },
      'transfer-command': { type: 'string' },
      'transfer-source': { type: 'string' },
      'clear-margin': { type: 'string', default: '0.02' },
      notes: { type: 'string' },
      gan: { type: 'string' },
    },
  });
  const dir = values.dir;
  const run = (name: string, title: string, command: string | undefined): RiskRun[] =>
    command === undefined
      ? []
      : [
          {
            title,
            command,
            report: readJson(join(dir, `${name}.json`), riskReportSchema),
            details: readJson(join(dir, `${name}.details.json`), riskDetailsSchema),
          },
        ];
  const clearMargin = Number(values['clear-margin']);
  if (!(clearMargin >= 0))
    throw new Error(`--clear-margin: expected a number >= 0, got ${values['clear-margin']}`);
  const nabSummary = readJson(join(dir, 'nab', 'nab-summary.json'), nabSummarySchema);
  const htm = nabSameFilesInput(nabSummary);
  const htmSameFiles = htm === null ? null : htmOnSameFiles(htm, loadHtmReference());
  const doc = renderQualityDoc({
    generatedAt: new Date().toISOString().slice(0, 10),
    nab: {
      summary: nabSummary,
      command: values['nab-command'] ?? 'risk-monitor nab (command not recorded)',
      source: values['nab-source'] ?? 'this run',
      ...(htmSameFiles ? { htmSameFiles } : {}),
    },
    risk: [
      ...run('risk-holdout', 'Tickers held out of training (the transfer test)', values['holdout-command']),
      ...run('risk-all', 'All tickers in the data directory', values['all-command']),
      ...run(
        'risk-holdout-validation',
        'Held-out tickers on the validation period (an earlier out-of-sample period)',
        values['holdout-validation-command'],
      ),
    ],
    ...(values['training-command'] ? { trainingCommand: values['training-command'] } : {}),
    ...(values['transfer-command']
      ? {
          transfer: {
            report: readJson(join(dir, 'transfer.json'), transferReportSchema),
            command: values['transfer-command'],
            source: values['transfer-source'] ?? 'this run',
          },
        }
      : {}),
    clearMargin,
    walkForward: [
      [
        'walk-forward-holdout',
        'Held-out tickers, three yearly folds',
        values['walk-forward-holdout-command'],
      ],
      ['walk-forward-all', 'All tickers, three yearly folds', values['walk-forward-all-command']],
    ].flatMap(([name, title, command]) =>
      command === undefined
        ? []
        : [
            {
              title: title as string,
              command,
              result: readJson(join(dir, `${name}.json`), walkForwardSchema),
            },
          ],
    ),
    ...(values.notes ? { notes: readFileSync(values.notes, 'utf8') } : {}),
    ...(values.gan ? { gan: readJson(values.gan, ganQualitySchema) } : {}),
  });
  writeFileSync(values.out, doc);
  process.stderr.write(`wrote ${values.out}\n`);
}

/** The files and null/perfect scores of a NAB run, when its summary records them. */
function nabSameFilesInput(summary: NabSummaryJson): SameFilesInput | null {
  if (summary.perFile === undefined) return null;
  const profiles: SameFilesInput['profiles'][number][] = [];
  for (const p of summary.profiles) {
    if (p.nullScore === undefined || p.perfectScore === undefined) return null;
    profiles.push({ profile: p.profile, nullScore: p.nullScore, perfectScore: p.perfectScore });
  }
  return { files: summary.perFile.map((f) => f.file), profiles };
}

main();
