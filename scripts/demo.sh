#!/usr/bin/env bash
# The main job end to end on the tiny CPU profile: dataset -> splits -> QLoRA training -> comparison.
# Outputs: runs/data/{train,val,test,test_unseen}.json, runs/adapter/, runs/compare/ (comparison.html, metrics.json).
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/setup.sh"
python -m llama_sql data validate data/alpaca_sql_dataset.json
python -m llama_sql data split data/alpaca_sql_dataset.json --output_dir runs/data
python -m llama_sql train --base_model tiny --profile tiny --dataset_path runs/data/train.json \
  --output_dir runs/adapter --batch_size 4 --lora_r 8 --lora_alpha 16 --lora_dropout 0.1 \
  --num_epochs 3 --cutoff_len 512
python -m llama_sql compare --base_model tiny --profile tiny --adapter runs/adapter \
  --dataset_path runs/data/test.json --unseen_path runs/data/test_unseen.json --output_dir runs/compare
echo "open runs/compare/comparison.html to read the comparison"
