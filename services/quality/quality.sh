#!/usr/bin/env bash
# `make quality`: the NAB benchmark of the anomaly detector and the walk-forward evaluation of the
# risk bundle, then docs/quality.md rendered from their JSON. Run from anywhere; paths are resolved
# from the repository root.
#
#   QUALITY_DATA   shared data directory (default: ../shared/data beside the clone)
#   QUALITY_MODEL  risk bundle directory (default: the CURRENT risk bundle of models.registryDir)
#   QUALITY_OUT    where the JSON goes (default: .run/quality)
#   QUALITY_SKIP_NAB=1      reuse $QUALITY_OUT/nab/nab-summary.json instead of rerunning nab (~4 min)
#   QUALITY_NAB_SOURCE      how the reused NAB summary was produced (shown in the doc)
#   QUALITY_TRAINING_COMMAND  how the evaluated bundle was trained (shown in the doc)
#   QUALITY_SKIP_TRANSFER=1   reuse $QUALITY_OUT/transfer.json instead of rerunning evaluate transfer (~8 min)
#   QUALITY_TRANSFER_SOURCE   how the reused transfer.json was produced (shown in the doc)
#   QUALITY_SKIP_GAN=1      reuse $QUALITY_OUT/gan.json instead of retraining the GAN (~3-4 min)
#   QUALITY_FOLDS           earlier walk-forward folds as VALIDATION_START:TEST_START pairs (default
#                           one and two years before the bundle's split); their bundles are trained
#                           once into $QUALITY_OUT/folds/ (~3-5 min each) and reused after that
#   RISK_MONITOR   the CLI (default: npx tsx services/cli/bin.ts; the Makefile passes the built one)
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$ROOT"
DATA="${QUALITY_DATA:-../shared/data}"
OUT="${QUALITY_OUT:-.run/quality}"
CLI="${RISK_MONITOR:-npx tsx services/cli/bin.ts}"
MODEL_ARGS=()
[[ -n "${QUALITY_MODEL:-}" ]] && MODEL_ARGS=(--model "$QUALITY_MODEL")
for d in "$DATA/anomaly/nab" "$DATA/market/daily" "$DATA/macro"; do
  [[ -d "$d" ]] || { echo "quality: expected the shared data directory $d, found none (set QUALITY_DATA)" >&2; exit 2; }
done
mkdir -p "$OUT"

NAB_CMD="risk-monitor nab --data $DATA/anomaly/nab --windows $DATA/anomaly/nab/windows.json --out $OUT/nab"
if [[ "${QUALITY_SKIP_NAB:-0}" == 1 && -f "$OUT/nab/nab-summary.json" ]]; then
  echo "quality: reusing $OUT/nab/nab-summary.json" >&2
  NAB_SOURCE="${QUALITY_NAB_SOURCE:-an earlier run of the command below, reused (QUALITY_SKIP_NAB=1)}"
else
  $CLI nab --data "$DATA/anomaly/nab" --windows "$DATA/anomaly/nab/windows.json" --out "$OUT/nab" >/dev/null
  NAB_SOURCE="this run ($(date -u +%Y-%m-%d))"
fi

# The tweets `make train` replays, in the same order, so the sentiment inputs match training's.
NEWS_ARGS=()
NEWS_FILES=("$DATA/news/twitter-financial-news-train.csv" "$DATA/news/twitter-financial-news-valid.csv")
[[ -f "${NEWS_FILES[0]}" && -f "${NEWS_FILES[1]}" ]] && NEWS_ARGS=(--news "${NEWS_FILES[@]}")
EVAL=(evaluate risk --prices "$DATA/market/daily" --macro "$DATA/macro" "${NEWS_ARGS[@]}" "${MODEL_ARGS[@]}")
EVAL_TEXT="risk-monitor ${EVAL[*]}"
$CLI "${EVAL[@]}" --json "$OUT/risk-all.json" >"$OUT/risk-all.details.json"

# The tickers the bundle was trained without, when it names any and the data holds them.
HELD_OUT="$(node -e '
  const d = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8"));
  console.log(d.bundle.heldOutSymbols.filter((s) => d.symbols.includes(s)).join(","));
' "$OUT/risk-all.details.json")"
DOC_ARGS=(--dir "$OUT" --out docs/quality.md --nab-command "$NAB_CMD" --nab-source "$NAB_SOURCE"
  --all-command "$EVAL_TEXT --json $OUT/risk-all.json")
if [[ -n "$HELD_OUT" ]]; then
  $CLI "${EVAL[@]}" --symbols "$HELD_OUT" --json "$OUT/risk-holdout.json" >"$OUT/risk-holdout.details.json"
  DOC_ARGS+=(--holdout-command "$EVAL_TEXT --symbols $HELD_OUT --json $OUT/risk-holdout.json")
  # The same comparison on the earlier validation period: does the verdict hold across regimes?
  $CLI "${EVAL[@]}" --symbols "$HELD_OUT" --period validation --json "$OUT/risk-holdout-validation.json" \
    >"$OUT/risk-holdout-validation.details.json"
  DOC_ARGS+=(--holdout-validation-command
    "$EVAL_TEXT --symbols $HELD_OUT --period validation --json $OUT/risk-holdout-validation.json")
  # Fine-tuned vs from scratch on the held-out tickers with a short history (transfer learning).
  TRANSFER=(evaluate transfer --prices "$DATA/market/daily" --macro "$DATA/macro" "${MODEL_ARGS[@]}" --symbols "$HELD_OUT")
  TRANSFER_TEXT="risk-monitor ${TRANSFER[*]} --json $OUT/transfer.json"
  if [[ "${QUALITY_SKIP_TRANSFER:-0}" == 1 && -f "$OUT/transfer.json" ]]; then
    echo "quality: reusing $OUT/transfer.json" >&2
    TRANSFER_SOURCE="${QUALITY_TRANSFER_SOURCE:-an earlier run of the command below, reused (QUALITY_SKIP_TRANSFER=1)}"
  else
    STARTED=$(date +%s)
    $CLI "${TRANSFER[@]}" --json "$OUT/transfer.json" >/dev/null
    TRANSFER_SOURCE="this run on $(date -u +%Y-%m-%d): $(( $(date +%s) - STARTED )) s in all, with the feature replay"
  fi
  DOC_ARGS+=(--transfer-command "$TRANSFER_TEXT" --transfer-source "$TRANSFER_SOURCE")
fi
[[ -n "${QUALITY_TRAINING_COMMAND:-}" ]] && DOC_ARGS+=(--training-command "$QUALITY_TRAINING_COMMAND")
# Walk-forward over yearly folds: the bundle's training configuration (make train's TRAIN_ARGS)
# with the split one and two years earlier, each fold scoring its own year; the bundle is the last.
BUNDLE_DIR="$(node -e 'console.log(JSON.parse(require("fs").readFileSync(process.argv[1], "utf8")).bundleDir)' "$OUT/risk-all.details.json")"
BUNDLE_DIR="$(realpath --relative-to="$ROOT" "$BUNDLE_DIR")"
FOLD_BUNDLES=()
mkdir -p "$OUT/folds"
for fold in ${QUALITY_FOLDS:-2014-06-02:2015-03-02 2015-06-01:2016-03-01}; do
  FOLD_REG="$OUT/folds/registry-${fold#*:}"
  if ! ls -d "$FOLD_REG"/risk/risk-* >/dev/null 2>&1; then
    # The anomaly forecaster of a fold is not evaluated: one epoch keeps the run short.
    $CLI train --prices "$DATA/market/daily" --macro "$DATA/macro" "${NEWS_ARGS[@]}" --out "$FOLD_REG" \
      --holdout-symbols AMZN,BAC,CVX,KO,PFE,WMT --seed 42 --anomaly-epochs 1 \
      --validation-start "${fold%%:*}" --test-start "${fold#*:}" >"$OUT/folds/train-${fold#*:}.json"
  fi
  FOLD_BUNDLES+=("$(ls -d "$FOLD_REG"/risk/risk-* | head -1)")
done
FOLD_BUNDLES+=("$BUNDLE_DIR")
WF_NEWS=()
for f in "${NEWS_ARGS[@]:1}"; do WF_NEWS+=(--news "$f"); done
WF=(npx tsx services/quality/walk-forward-folds.ts --prices "$DATA/market/daily" --macro "$DATA/macro" "${WF_NEWS[@]}")
if [[ -n "$HELD_OUT" ]]; then
  "${WF[@]}" --symbols "$HELD_OUT" --out "$OUT/walk-forward-holdout.json" "${FOLD_BUNDLES[@]}" 2>/dev/null
  DOC_ARGS+=(--walk-forward-holdout-command "${WF[*]} --symbols $HELD_OUT --out $OUT/walk-forward-holdout.json ${FOLD_BUNDLES[*]}")
fi
"${WF[@]}" --out "$OUT/walk-forward-all.json" "${FOLD_BUNDLES[@]}" 2>/dev/null
DOC_ARGS+=(--walk-forward-all-command "${WF[*]} --out $OUT/walk-forward-all.json ${FOLD_BUNDLES[*]}")
# The retrainer's GAN at its configured size, judged on the validation period (docs/retrainer.md).
if [[ "${QUALITY_SKIP_GAN:-0}" != 1 || ! -f "$OUT/gan.json" ]]; then
  npx tsx services/quality/gan-quality.ts --prices "$DATA/market/daily" --macro "$DATA/macro" --out "$OUT/gan.json"
fi
DOC_ARGS+=(--gan "$OUT/gan.json")
# Hand-written findings that the numbers alone do not say (keep them in step with the numbers).
[[ -f services/quality/quality-notes.md ]] && DOC_ARGS+=(--notes services/quality/quality-notes.md)
npx tsx services/quality/write-quality-doc.ts "${DOC_ARGS[@]}"
