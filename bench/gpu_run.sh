#!/usr/bin/env bash
# The one prepared device run (H100/H200): SD1.5-architecture benchmarks, then (optionally) the toy
# world's pretraining. The GPU image has torch/transformers/accelerate but not diffusers/bitsandbytes,
# and no open_clip; build what travels, here, once (.devcarry is git-ignored):
#   mkdir -p .devcarry/wheels .devcarry/site
#   pip download --no-deps --only-binary=:all: --python-version 3.12 --implementation cp \
#       --platform manylinux_2_24_x86_64 -d .devcarry/wheels diffusers==0.42.1 importlib_metadata bitsandbytes==0.50.2 peft==0.21.0
#   unzip -q .devcarry/wheels/bitsandbytes-*.whl -d .devcarry/site && rm .devcarry/wheels/bitsandbytes-*.whl
#   find .devcarry/site/bitsandbytes -name 'libbitsandbytes_*.so' ! -name '*cuda130*' ! -name '*cpu*' -delete
#   DREAMBOOTH_NB_CACHE=.devcarry/cache .venv/bin/python -c "from dreambooth_nb.models import clip_tokenizer; clip_tokenizer()"
# then run it with the device tool: carry [".devcarry"], and set
# SKIP_TOY=1 to leave the committed toy model alone. Everything under $OUT comes back;
# bench/BENCHMARKS.md records the numbers.
set -u
T0=$(date +%s); left() { echo $(( ${DEADLINE:-540} - ($(date +%s) - T0) )); }
OUT=${OUT:-/tmp/out}; mkdir -p "$OUT"
python3 -m pip install -q --no-index --no-deps --no-compile --target /tmp/site .devcarry/wheels/*.whl || exit 1
cp -r .devcarry/site/* /tmp/site/
export PYTHONPATH=/tmp/site:$PWD PYTHONUNBUFFERED=1 DREAMBOOTH_NB_RUNS=$PWD/runs DREAMBOOTH_NB_CACHE=$PWD/.devcarry/cache
nvidia-smi --query-gpu=name,memory.total,driver_version --format=csv,noheader
python3 -c "import torch, diffusers, transformers, accelerate, bitsandbytes as b; print('torch', torch.__version__, 'diffusers', diffusers.__version__, 'transformers', transformers.__version__, 'accelerate', accelerate.__version__, 'bnb', b.__version__)"
git log -1 --format='commit %h %s' 2>/dev/null
run() { local t=$1; shift; [ "$(left)" -gt 20 ] || { echo "skipped (time): $*"; return; }; [ "$t" -gt "$(left)" ] && t=$(left); echo "=== $* (limit ${t}s)"; timeout "$t" "$@"; echo "=== rc $? after $(( $(date +%s) - T0 ))s"; }
# 0. the sd15 route rehearsed at 512 px with the preset's own settings (fp16, 8-bit Adam, gradient checkpointing) on
# stand-in weights under the preset's hub ids, offline (tools/rehearse.py); prints each run's peak CUDA memory while
# training (targets: <= 10 GiB full fine-tuning, <= 6 GiB LoRA). Needs papermill, lpips, pandas, seaborn, peft in
# .devcarry/wheels besides the packages above (pip download them the same way).
run 240 python3 tools/rehearse.py --out /tmp/rehearsal --subjects dog --set resolution=512 --set steps=20 --set sample_steps=10
# 1. training, the memory-saving setting: fp16 autocast, 8-bit Adam, gradient checkpointing, PPL 1+1, 512 px
run 120 python3 bench/bench.py train --arch sd15 --res 512 --device cuda --mp fp16 --adam8 --gc --steps 12 --warmup 3 --rounds 2 --variants baseline,ours,floor --jsonl $OUT/bench.jsonl
# 1b. LoRA (rank 4) next to full fine-tuning, the memory-saving setting at 512 px fp16 (target: <= 6 GB peak)
run 90 python3 bench/bench.py train --arch sd15 --res 512 --device cuda --mp fp16 --adam8 --gc --steps 12 --warmup 3 --rounds 1 --variants ours,lora --jsonl $OUT/bench.jsonl
# 1c. Textual Inversion and Custom Diffusion (ours vs a loop like each diffusers script), fp16 at 512 px, torch AdamW,
# no checkpointing (the UNet is frozen; the TI script has no 8-bit Adam); each variant gets fresh copies of the models
run 130 python3 bench/bench.py train --arch sd15 --res 512 --device cuda --mp fp16 --steps 12 --warmup 3 --rounds 2 --variants ti,ti_base,cd,cd_base --jsonl $OUT/bench.jsonl
# 2. class-image generation: pipeline defaults (PNDM 50 steps, batch 4) vs DPM-Solver++ (25x8, 20x16), fp16
run 70 python3 bench/bench.py prior --arch sd15 --res 512 --device cuda --mp fp16 --n 32 --rounds 1 --ours 20x8,20x16,25x8 --jsonl $OUT/bench.jsonl
# 3. the toy world's base model, pretrained for a fixed time budget
if [ -z "${SKIP_TOY:-}" ] && [ -f bench/pretrain_toy.py ]; then
  run 260 python3 bench/pretrain_toy.py --out $OUT/toy --state-dir /tmp/toystate --device cuda --minutes ${TOY_MINUTES:-3.5}
  (cd $OUT && tar czf toy.tgz toy && rm -rf toy && split -b 15M toy.tgz toy.tgz.part && rm toy.tgz; ls -la)
fi
# 4. training at fp16 without the memory savers, with switches (channels_last, fast path), if time is left
run 100 python3 bench/bench.py train --arch sd15 --res 512 --device cuda --mp fp16 --steps 10 --warmup 3 --rounds 1 --variants baseline,ours,floor,cl --jsonl $OUT/bench.jsonl
echo "total $(( $(date +%s) - T0 ))s"
