#!/usr/bin/env python3
"""Pretrain the toy Stable Diffusion (nbs/31_toy_sd.ipynb) on a bare machine: torch, transformers, diffusers, numpy,
PIL.

GPU (the committed weights, ~5 minutes of an H100/H200):
    python3 bench/pretrain_toy.py --out dreambooth_nb/assets/toy/sd --device cuda --batch-size 256 \\
        --steps 100000 --minutes 5
CPU smoke test:
    python3 bench/pretrain_toy.py --out /tmp/toy_sd --device cpu --batch-size 16 --steps 30 --n-images 2000 \\
        --vae-steps 50
The CLIP tokenizer is built offline by dreambooth_nb.models.clip_tokenizer() (needs open_clip_torch once) into
the user cache (clip_tokenizer/ under $DREAMBOOTH_NB_CACHE); on a machine without open_clip, copy that folder there
first or pass --tokenizer DIR.
"""

import argparse, json, os, sys, time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument(
        '--out', default=str(ROOT / 'dreambooth_nb' / 'assets' / 'toy' / 'sd'), help='pipeline folder to write'
    )
    ap.add_argument('--steps', type=int, default=100000, help='max UNet + text encoder steps')
    ap.add_argument('--batch-size', type=int, default=256)
    ap.add_argument('--device', default=None, help='cuda, cpu, mps (default: best available)')
    ap.add_argument(
        '--minutes', type=float, default=None, help='wall-clock budget for the whole run; stops cleanly and saves'
    )
    ap.add_argument('--n-images', type=int, default=100000, help='rendered training images')
    ap.add_argument('--lr', type=float, default=1e-3)
    ap.add_argument('--warmup', type=int, default=300)
    ap.add_argument('--vae-steps', type=int, default=3000)
    ap.add_argument('--vae-batch-size', type=int, default=256)
    ap.add_argument('--vae-lr', type=float, default=2e-3)
    ap.add_argument('--checkpoint-every', type=int, default=1000)
    ap.add_argument('--log-every', type=int, default=250)
    ap.add_argument('--workers', type=int, default=min(16, os.cpu_count() or 1), help='processes that render the world')
    ap.add_argument('--seed', type=int, default=0)
    ap.add_argument('--state-dir', default=None, help='resumable training state (default: hidden folder beside --out)')
    ap.add_argument('--no-resume', action='store_true', help='start over even if a saved state exists')
    ap.add_argument('--tokenizer', default=None, help='folder with the CLIP tokenizer files (vocab.json, merges.txt)')
    a = ap.parse_args(argv)
    import torch
    from dreambooth_nb.toy_sd import PretrainConfig, pretrain_toy

    tok = None
    if a.tokenizer:
        from transformers import CLIPTokenizer

        tok = CLIPTokenizer.from_pretrained(a.tokenizer)
    print(f'torch {torch.__version__}, cuda {torch.cuda.is_available()}', flush=True)
    t0 = time.time()
    cfg = PretrainConfig(
        steps=a.steps,
        batch_size=a.batch_size,
        minutes=a.minutes,
        n_images=a.n_images,
        lr=a.lr,
        warmup=a.warmup,
        vae_steps=a.vae_steps,
        vae_batch_size=a.vae_batch_size,
        vae_lr=a.vae_lr,
        seed=a.seed,
        workers=a.workers,
        checkpoint_every=a.checkpoint_every,
        log_every=a.log_every,
    )
    m = pretrain_toy(
        a.out,
        cfg,
        device=a.device,
        state_dir=a.state_dir,
        resume=not a.no_resume,
        tokenizer=tok,
        log=lambda s: print(s, flush=True),
        progress=False,
    )
    print(
        json.dumps(
            {k: m[k] for k in ('steps_done', 'seconds', 'vae_val_mse', 'scaling_factor', 'params', 'device_name')}
        ),
        flush=True,
    )
    print(f'wrote {a.out} in {time.time() - t0:.0f}s', flush=True)


if __name__ == '__main__':
    main()
