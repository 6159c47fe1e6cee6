"""Benchmarks: training loop vs a diffusers-like baseline, class-image generation, evaluation.

Prints its figures (nothing is asserted) and appends one JSON line per measurement to --jsonl.
  python bench/bench.py train --arch tiny --res 64 --steps 30          # CPU, tiny preset
  python bench/bench.py train --arch sd15 --res 64 --steps 4           # CPU, SD1.5 architecture, random weights
  python bench/bench.py train --arch sd15 --res 64 --steps 6 --variants ours,lora   # full fine-tuning vs LoRA
  python bench/bench.py train --arch sd15 --res 512 --device cuda --mp fp16 --adam8 --gc   # GPU
  python bench/bench.py prior --arch sd15 --res 512 --device cuda --mp fp16 --n 16
  python bench/bench.py eval --rounds 3                                # toy world: sampling, embedding + metrics
  python bench/bench.py flops --arch sd15 --res 512                    # exact FLOPs per step, meta device, seconds
The baseline loop behaves like diffusers' examples/dreambooth/train_dreambooth.py: a DataLoader reads, transforms and
tokenizes the instance and class image files at every step, then it VAE-encodes the [instance; class] pixels and
text-encodes the prompts, with torch AdamW (defaults) or bitsandbytes AdamW8bit, the same precision, model, data and
seeds. `basemem` is that loop with the images held in memory; `floor` is UNet forward+backward+optimizer alone, the
limit no loop can beat.
The other methods, each against its own baseline (fresh copies of the UNet, text encoder and tokenizer per variant):
  python bench/bench.py train --arch tiny --res 64 --steps 30 --rounds 3 --variants ti,ti_base,cd,cd_base
`ti` / `cd` are ours (method textual_inversion without PPL / custom_diffusion with PPL); `ti_base` behaves like
diffusers' examples/textual_inversion/textual_inversion.py and `cd_base` like
examples/custom_diffusion/train_custom_diffusion.py (a DataLoader reading and transforming the files at every step, VAE
and text encoder at every step, torch AdamW; TI writes the frozen embedding rows back after each step, CD zeroes their
gradients and uses the script's processors, dataset and masked PPL loss). bench/diffusers_scripts.py runs the two
scripts themselves on the tiny pipeline."""

import argparse, copy, json, os, statistics, sys, threading, time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
import torch
import torch.nn.functional as F


def rss_now() -> int:
    "This process's resident memory in bytes (psutil when installed; else /proc/self/statm)."
    try:
        import psutil

        return psutil.Process().memory_info().rss
    except ImportError:
        return int(Path('/proc/self/statm').read_text().split()[1]) * os.sysconf('SC_PAGE_SIZE')


def rss_peak_tracker():
    "Start sampling this process's RSS; returns stop() -> peak bytes seen."
    peak, stop = [0], threading.Event()

    def run():
        while not stop.is_set():
            peak[0] = max(peak[0], rss_now())
            time.sleep(0.01)

    th = threading.Thread(target=run, daemon=True)
    th.start()

    def done():
        stop.set()
        th.join()
        return max(peak[0], rss_now())

    return done


def components(arch, device, seed=0):
    from dreambooth_nb.models import build_components, tiny_sd_configs, sd15_configs

    return build_components(tiny_sd_configs() if arch == 'tiny' else sd15_configs(), seed=seed, device=device)


def images(n, res, seed):
    from PIL import Image
    import numpy as np

    rng = np.random.default_rng(seed)
    return [Image.fromarray(rng.integers(0, 255, (res, res, 3), dtype=np.uint8)) for _ in range(n)]


def image_files(folder, n_inst, n_class, res, seed=0):
    """Files as the two loops read them: the instance photos at their source size (DreamBench `dog`, 512 px JPEGs, when
    ../shared/dreambench or $DREAMBENCH_DIR is present; else smooth synthetic 512 px JPEGs) and class images saved as
    JPEGs at the training resolution, as diffusers' script saves what it generates. Returns (instance paths, class
    paths)."""
    from PIL import ImageFilter
    from dreambooth_nb.core import find_dreambench

    folder = Path(folder)
    (folder / 'class').mkdir(parents=True, exist_ok=True)
    db = find_dreambench()
    inst = sorted((db / 'dog').glob('*.jpg'))[:n_inst] if db is not None and (db / 'dog').is_dir() else []
    if not inst:
        (folder / 'instance').mkdir(exist_ok=True)
        for k, im in enumerate(images(n_inst, 64, seed)):
            inst.append(folder / 'instance' / f'{k:02d}.jpg')
            im.resize((512, 512)).filter(ImageFilter.GaussianBlur(8)).save(inst[-1], quality=90)
    cls = []
    for k, im in enumerate(images(n_class, res, seed + 1)):
        cls.append(folder / 'class' / f'{k}.jpg')
        im.filter(ImageFilter.GaussianBlur(2)).save(cls[-1])
    return list(inst), cls


class DiffusersLikeDataset(torch.utils.data.Dataset):
    """Behaves like `DreamBoothDataset` in diffusers' train_dreambooth.py: every item opens the instance and class image
    files, applies EXIF orientation, converts to RGB, resizes/crops/normalises, and tokenizes both prompts."""

    def __init__(self, inst_paths, class_paths, tokenizer, inst_prompt, class_prompt, res):
        from dreambooth_nb.data import image_transform

        self.inst, self.cls, self.tok, self.ip, self.cp = inst_paths, class_paths, tokenizer, inst_prompt, class_prompt
        self.tfm, self.n = image_transform(res, center_crop=False), max(len(class_paths), len(inst_paths))

    def __len__(self):
        return self.n

    def _img(self, path):
        from PIL import Image, ImageOps

        im = ImageOps.exif_transpose(Image.open(path))
        return self.tfm(im if im.mode == 'RGB' else im.convert('RGB'))

    def _ids(self, prompt):
        return self.tok(
            prompt, truncation=True, padding='max_length', max_length=self.tok.model_max_length, return_tensors='pt'
        ).input_ids

    def __getitem__(self, i):
        return dict(
            instance_images=self._img(self.inst[i % len(self.inst)]),
            instance_prompt_ids=self._ids(self.ip),
            class_images=self._img(self.cls[i % len(self.cls)]),
            class_prompt_ids=self._ids(self.cp),
        )


def diffusers_like_collate(examples):
    "[instance; class] pixels and prompt ids, as diffusers' collate_fn with prior preservation."
    ids = [e['instance_prompt_ids'] for e in examples] + [e['class_prompt_ids'] for e in examples]
    px = torch.stack([e['instance_images'] for e in examples] + [e['class_images'] for e in examples])
    return dict(input_ids=torch.cat(ids), pixel_values=px.to(memory_format=torch.contiguous_format).float())


def baseline_batches(c, cfg, inst_paths, class_paths, loader: bool):
    """Endless [instance; class] batches. `loader=True`: a DataLoader over `DiffusersLikeDataset` (shuffled, no workers,
    diffusers' defaults), so file reading, transforms and tokenization happen every step as in the reference script.
    `loader=False`: the images transformed once and held in memory (the compute-only baseline)."""
    from dreambooth_nb.data import image_transform, instance_prompt, class_prompt

    ip, cp = instance_prompt(cfg.class_noun), class_prompt(cfg.class_noun)
    if loader:
        ds = DiffusersLikeDataset(inst_paths, class_paths, c.tokenizer, ip, cp, cfg.resolution)
        dl = torch.utils.data.DataLoader(
            ds,
            batch_size=1,
            shuffle=True,
            collate_fn=diffusers_like_collate,
            num_workers=0,
            generator=torch.Generator().manual_seed(0),
        )
        while True:
            yield from dl
    from PIL import Image

    tfm = image_transform(cfg.resolution)
    ipx = torch.stack([tfm(Image.open(p).convert('RGB')) for p in inst_paths])
    cpx = torch.stack([tfm(Image.open(p).convert('RGB')) for p in class_paths])
    ids = c.tokenizer([ip, cp], padding='max_length', max_length=77, truncation=True, return_tensors='pt').input_ids
    g = torch.Generator().manual_seed(0)
    while True:
        i, j = torch.randint(len(ipx), (1,), generator=g), torch.randint(len(cpx), (1,), generator=g)
        yield dict(input_ids=ids, pixel_values=torch.cat([ipx[i], cpx[j]]))


def baseline_train(c, cfg, inst_paths, class_paths, steps, loader=True):
    "A loop that behaves like diffusers' train_dreambooth.py (no caches); `loader=False` drops per-step data loading."
    from accelerate import Accelerator
    from dreambooth_nb.core import get_dtype

    dev = torch.device(cfg.device)
    mp = cfg.mixed_precision if dev.type == 'cuda' else 'no'
    acc = Accelerator(mixed_precision=mp, cpu=dev.type == 'cpu')
    wd = get_dtype(mp, acc.device)
    c.vae.requires_grad_(False).to(acc.device, wd)
    c.text_encoder.requires_grad_(False).to(acc.device, wd)
    c.unet.requires_grad_(True).to(acc.device, torch.float32)
    if cfg.gradient_checkpointing:
        c.unet.enable_gradient_checkpointing()
    if cfg.use_8bit_adam:
        import bitsandbytes as bnb

        opt = bnb.optim.AdamW8bit(c.unet.parameters(), lr=cfg.lr, weight_decay=1e-2)
    else:
        opt = torch.optim.AdamW(c.unet.parameters(), lr=cfg.lr, weight_decay=1e-2)
    from diffusers.optimization import get_scheduler

    sched = get_scheduler('constant', opt)
    unet, opt, sched = acc.prepare(c.unet, opt, sched)
    unet.train()
    batches = baseline_batches(c, cfg, inst_paths, class_paths, loader)
    times, sync = [], (torch.cuda.synchronize if acc.device.type == 'cuda' else (lambda: None))
    for s in range(steps):
        t0 = time.perf_counter()
        batch = next(batches)
        with torch.no_grad():
            latents = (
                c.vae.encode(batch['pixel_values'].to(acc.device, wd)).latent_dist.sample()
                * c.vae.config.scaling_factor
            )
            enc = c.text_encoder(batch['input_ids'].to(acc.device))[0]
        noise = torch.randn_like(latents)
        t = torch.randint(0, 1000, (2,), device=latents.device)
        noisy = c.noise_scheduler.add_noise(latents, noise, t)
        with acc.autocast():
            pred = unet(noisy, t, enc).sample
        p, pp = pred.float().chunk(2)
        n, npr = noise.float().chunk(2)
        loss = F.mse_loss(p, n) + cfg.prior_loss_weight * F.mse_loss(pp, npr)
        acc.backward(loss)
        acc.clip_grad_norm_(unet.parameters(), 1.0)
        opt.step()
        sched.step()
        opt.zero_grad(set_to_none=False)  # diffusers' default (--set_grads_to_none off)
        _ = (loss.detach().item(), sched.get_last_lr()[0])  # diffusers logs loss and lr every step
        sync()
        times.append(time.perf_counter() - t0)
    return times


def baseline_mem_train(c, cfg, inst_paths, class_paths, steps):
    return baseline_train(c, cfg, inst_paths, class_paths, steps, loader=False)


def floor_train(c, cfg, inst_paths, class_paths, steps):
    """The floor of any loop on this model and setting: UNet forward + backward + clipping + optimizer step on one fixed
    [instance; class] batch of latents and embeddings (no data, no encoders, no sampling). baseline / floor bounds what
    removing the rest can buy."""
    from accelerate import Accelerator
    from dreambooth_nb.train import make_optimizer

    dev = torch.device(cfg.device)
    acc = Accelerator(mixed_precision=cfg.mixed_precision if dev.type == 'cuda' else 'no', cpu=dev.type == 'cpu')
    c.unet.requires_grad_(True).to(acc.device, torch.float32)
    if cfg.gradient_checkpointing:
        c.unet.enable_gradient_checkpointing()
    unet, opt = acc.prepare(c.unet, make_optimizer(c.unet.parameters(), cfg.lr, cfg.use_8bit_adam, device=acc.device))
    unet.train()
    lat_res = cfg.resolution // 2 ** (len(c.vae.config.block_out_channels) - 1)
    g = torch.Generator().manual_seed(0)
    x = torch.randn(2, unet.config.in_channels, lat_res, lat_res, generator=g).to(acc.device)
    enc = torch.randn(2, 77, unet.config.cross_attention_dim, generator=g).to(acc.device)
    t, noise = torch.tensor([10, 500], device=acc.device), torch.randn(x.shape, generator=g).to(acc.device)
    times, sync = [], (torch.cuda.synchronize if acc.device.type == 'cuda' else (lambda: None))
    for s in range(steps):
        t0 = time.perf_counter()
        with acc.autocast():
            pred = unet(x, t, enc).sample
        loss = F.mse_loss(pred.float(), noise)
        acc.backward(loss)
        acc.clip_grad_norm_(unet.parameters(), 1.0)
        opt.step()
        opt.zero_grad(set_to_none=True)
        sync()
        times.append(time.perf_counter() - t0)
    return times


def add_token_like_scripts(c, token, init_word):
    """Add `token` as diffusers' textual_inversion.py and train_custom_diffusion.py do: `add_tokens`,
    `resize_token_embeddings` (transformers' default initialisation), the initializer token's row copied in, and the
    text encoder frozen except its token embedding table. Returns the new token's id."""
    tok, te = c.tokenizer, c.text_encoder
    if tok.add_tokens(token) != 1:
        raise ValueError(f'the tokenizer already contains {token!r}')
    init = tok.encode(init_word, add_special_tokens=False)
    if len(init) != 1:
        raise ValueError('The initializer token must be a single token.')
    new = tok.convert_tokens_to_ids(token)
    te.resize_token_embeddings(len(tok))
    with torch.no_grad():
        emb = te.get_input_embeddings().weight.data
        emb[new] = emb[init[0]].clone()
    tm = te.text_model if hasattr(te, 'text_model') else te
    for m in (tm.encoder, tm.final_layer_norm, tm.embeddings.position_embedding):
        m.requires_grad_(False)
    return new


class TextualInversionLikeDataset(torch.utils.data.Dataset):
    """Behaves like `TextualInversionDataset` in diffusers' textual_inversion.py (defaults: no center crop, bicubic,
    flip p=0.5, 100 repeats): every item opens an image file, converts it to RGB, tokenizes the prompt, resizes with
    PIL, flips and normalises. The script draws one of its ImageNet templates ('a photo of a {}', ...) per item; here
    the prompt is ours, `a <sks> dog` (the same data as our loop; tokenizing and the text encoder cost the same, every
    prompt is padded to 77 tokens)."""

    def __init__(self, paths, tokenizer, prompt, res, repeats=100, flip_p=0.5):
        from torchvision import transforms

        self.paths, self.tok, self.prompt, self.res = list(paths), tokenizer, prompt, res
        self.flip, self.n = transforms.RandomHorizontalFlip(p=flip_p), len(self.paths) * repeats

    def __len__(self):
        return self.n

    def __getitem__(self, i):
        from PIL import Image
        import numpy as np

        im = Image.open(self.paths[i % len(self.paths)])
        if im.mode != 'RGB':
            im = im.convert('RGB')
        ids = self.tok(
            self.prompt,
            padding='max_length',
            truncation=True,
            max_length=self.tok.model_max_length,
            return_tensors='pt',
        ).input_ids[0]
        img = np.array(im).astype(np.uint8)
        im = Image.fromarray(img).resize((self.res, self.res), resample=Image.Resampling.BICUBIC)
        img = (np.array(self.flip(im)).astype(np.uint8) / 127.5 - 1.0).astype(np.float32)
        return dict(input_ids=ids, pixel_values=torch.from_numpy(img).permute(2, 0, 1))


def endless(dl):
    while True:
        yield from dl


def ti_baseline_train(c, cfg, inst_paths, class_paths, steps):
    """A loop that behaves like diffusers' textual_inversion.py (no caches, no prior batch): the new token added as the
    script adds it, a DataLoader that reads and transforms an image file per step, VAE encode and text encode at each
    step, torch AdamW over the whole embedding table (the script's: no fused or foreach flag), and after each step
    every row but the new token's written back from a copy."""
    from accelerate import Accelerator
    from diffusers.optimization import get_scheduler
    from dreambooth_nb.core import get_dtype
    from dreambooth_nb.data import instance_prompt

    dev = torch.device(cfg.device)
    acc = Accelerator(mixed_precision=cfg.mixed_precision if dev.type == 'cuda' else 'no', cpu=dev.type == 'cpu')
    wd = get_dtype(acc.mixed_precision, acc.device)
    new = add_token_like_scripts(c, cfg.token, cfg.class_noun)  # --initializer_token: the class noun, as ours
    c.vae.requires_grad_(False)
    c.unet.requires_grad_(False)
    if cfg.gradient_checkpointing:
        c.unet.train()
        c.text_encoder.gradient_checkpointing_enable()
        c.unet.enable_gradient_checkpointing()
    emb_params = c.text_encoder.get_input_embeddings().parameters()
    opt = torch.optim.AdamW(emb_params, lr=cfg.train_lr, betas=(0.9, 0.999), weight_decay=1e-2, eps=1e-8)
    ds = TextualInversionLikeDataset(
        inst_paths, c.tokenizer, instance_prompt(cfg.class_noun, cfg.token), cfg.resolution
    )
    dl = torch.utils.data.DataLoader(ds, batch_size=1, shuffle=True, num_workers=0)
    sched = get_scheduler('constant', opt)
    c.text_encoder.train()
    te, opt, dl, sched = acc.prepare(c.text_encoder, opt, dl, sched)
    c.unet.to(acc.device, dtype=wd)
    c.vae.to(acc.device, dtype=wd)
    orig = acc.unwrap_model(te).get_input_embeddings().weight.data.clone()
    batches, n_t = endless(dl), c.noise_scheduler.config.num_train_timesteps
    times, sync = [], (torch.cuda.synchronize if acc.device.type == 'cuda' else (lambda: None))
    for s in range(steps):
        t0 = time.perf_counter()
        batch = next(batches)
        with acc.accumulate(te):
            latents = c.vae.encode(batch['pixel_values'].to(dtype=wd)).latent_dist.sample().detach()
            latents = latents * c.vae.config.scaling_factor
            noise = torch.randn_like(latents)
            t = torch.randint(0, n_t, (latents.shape[0],), device=latents.device).long()
            noisy = c.noise_scheduler.add_noise(latents, noise, t)
            enc = te(batch['input_ids'])[0].to(dtype=wd)
            pred = c.unet(noisy, t, enc).sample
            loss = F.mse_loss(pred.float(), noise.float(), reduction='mean')
            acc.backward(loss)
            opt.step()
            sched.step()
            opt.zero_grad()
            keep = torch.ones((len(c.tokenizer),), dtype=torch.bool)
            keep[new : new + 1] = False
            with torch.no_grad():
                acc.unwrap_model(te).get_input_embeddings().weight[keep] = orig[keep]
        _ = (loss.detach().item(), sched.get_last_lr()[0])  # the script logs loss and lr every step
        sync()
        times.append(time.perf_counter() - t0)
    return times


class CustomDiffusionLikeDataset(torch.utils.data.Dataset):
    """Behaves like `CustomDiffusionDataset` in diffusers' train_custom_diffusion.py with its defaults (`--hflip` off,
    augmentation on, prior preservation): every item opens the instance file, rescales it at random (1/3 to 1.4 x the
    resolution) into a canvas with the mask of its valid latent region, prefixes the prompt to match ('a far away ',
    'zoomed in ', ...), tokenizes it; and opens, transforms (resize, random crop) and tokenizes a class image."""

    def __init__(self, inst_paths, class_paths, tokenizer, inst_prompt, class_prompt, res, mask_size):
        import random
        from torchvision import transforms

        self.inst, self.cls, self.tok, self.ip, self.cp = (
            list(inst_paths),
            list(class_paths),
            tokenizer,
            inst_prompt,
            class_prompt,
        )
        random.shuffle(self.inst)
        self.size, self.mask_size, self.n = res, mask_size, max(len(self.inst), len(self.cls))
        self.flip = transforms.RandomHorizontalFlip(0.0)
        self.tfm = transforms.Compose(
            [
                self.flip,
                transforms.Resize(res, interpolation=transforms.InterpolationMode.BILINEAR),
                transforms.RandomCrop(res),
                transforms.ToTensor(),
                transforms.Normalize([0.5], [0.5]),
            ]
        )

    def __len__(self):
        return self.n

    def _ids(self, prompt):
        return self.tok(
            prompt, truncation=True, padding='max_length', max_length=self.tok.model_max_length, return_tensors='pt'
        ).input_ids

    def preprocess(self, image, scale):
        import numpy as np
        from PIL import Image

        outer, inner, factor = self.size, scale, self.size // self.mask_size
        if scale > self.size:
            outer, inner = scale, self.size
        top, left = np.random.randint(0, outer - inner + 1), np.random.randint(0, outer - inner + 1)
        image = np.array(image.resize((scale, scale), resample=Image.BILINEAR)).astype(np.uint8)
        image = (image / 127.5 - 1.0).astype(np.float32)
        canvas = np.zeros((self.size, self.size, 3), dtype=np.float32)
        mask = np.zeros((self.size // factor, self.size // factor))
        if scale > self.size:
            canvas = image[top : top + inner, left : left + inner, :]
            mask = np.ones((self.size // factor, self.size // factor))
        else:
            canvas[top : top + inner, left : left + inner, :] = image
            mask[top // factor + 1 : (top + scale) // factor - 1, left // factor + 1 : (left + scale) // factor - 1] = (
                1.0
            )
        return canvas, mask

    def __getitem__(self, i):
        import numpy as np
        from PIL import Image

        im = Image.open(self.inst[i % len(self.inst)])
        im = self.flip(im if im.mode == 'RGB' else im.convert('RGB'))
        scale = (
            np.random.randint(self.size // 3, self.size + 1)
            if np.random.uniform() < 0.66
            else np.random.randint(int(1.2 * self.size), int(1.4 * self.size))
        )
        img, mask = self.preprocess(im, scale)
        prompt = self.ip
        if scale < 0.6 * self.size:
            prompt = np.random.choice(['a far away ', 'very small ']) + prompt
        elif scale > self.size:
            prompt = np.random.choice(['zoomed in ', 'close up ']) + prompt
        cim = Image.open(self.cls[i % len(self.cls)])
        m = torch.from_numpy(mask)
        return dict(
            instance_images=torch.from_numpy(img).permute(2, 0, 1),
            mask=m,
            instance_prompt_ids=self._ids(prompt),
            class_images=self.tfm(cim if cim.mode == 'RGB' else cim.convert('RGB')),
            class_mask=torch.ones_like(m),
            class_prompt_ids=self._ids(self.cp),
        )


def custom_diffusion_collate(examples):
    "[instance; class] ids, pixels and masks, as the script's collate_fn with prior preservation."
    ids = [e['instance_prompt_ids'] for e in examples] + [e['class_prompt_ids'] for e in examples]
    px = [e['instance_images'] for e in examples] + [e['class_images'] for e in examples]
    mask = [e['mask'] for e in examples] + [e['class_mask'] for e in examples]
    px = torch.stack(px).to(memory_format=torch.contiguous_format).float()
    mask = torch.stack(mask).to(memory_format=torch.contiguous_format).float()
    return dict(input_ids=torch.cat(ids, dim=0), pixel_values=px, mask=mask.unsqueeze(1))


def script_custom_diffusion_layers(unet):
    """The script's processors (`--freeze_model crossattn_kv`): CustomDiffusionAttnProcessor2_0 everywhere,
    cross-attention layers with trainable copies of `to_k` / `to_v` loaded from the UNet's state dict; an
    `AttnProcsLayers` over them."""
    from diffusers.loaders import AttnProcsLayers
    from diffusers.models.attention_processor import CustomDiffusionAttnProcessor2_0 as Proc

    boc, st, procs = unet.config.block_out_channels, unet.state_dict(), {}
    for name in unet.attn_processors:
        cad = None if name.endswith('attn1.processor') else unet.config.cross_attention_dim
        if name.startswith('mid_block'):
            hs = boc[-1]
        elif name.startswith('up_blocks'):
            hs = list(reversed(boc))[int(name[len('up_blocks.')])]
        else:
            hs = boc[int(name[len('down_blocks.')])]
        layer = name.split('.processor')[0]
        w = {
            'to_k_custom_diffusion.weight': st[layer + '.to_k.weight'],
            'to_v_custom_diffusion.weight': st[layer + '.to_v.weight'],
        }
        if cad is not None:
            procs[name] = Proc(train_kv=True, train_q_out=False, hidden_size=hs, cross_attention_dim=cad).to(
                unet.device
            )
            procs[name].load_state_dict(w)
        else:
            procs[name] = Proc(train_kv=False, train_q_out=False, hidden_size=hs, cross_attention_dim=cad)
    del st
    unet.set_attn_processor(procs)
    return AttnProcsLayers(unet.attn_processors)


def cd_baseline_train(c, cfg, inst_paths, class_paths, steps):
    """A loop that behaves like diffusers' train_custom_diffusion.py with prior preservation and `--modifier_token`: the
    script's processors and dataset (random rescale + mask, class images), VAE encode and text encode at each step,
    a masked instance loss + the prior loss, the other embedding rows' gradients zeroed, clipping, torch AdamW (no
    implementation flag) or bitsandbytes AdamW8bit, `zero_grad(set_to_none=False)` (the script's default), and the
    script's 2 DataLoader workers (started again at each epoch, as there; $BENCH_CD_WORKERS changes the number)."""
    import itertools, random
    import numpy as np
    from accelerate import Accelerator
    from diffusers.optimization import get_scheduler
    from dreambooth_nb.core import get_dtype
    from dreambooth_nb.data import instance_prompt, class_prompt

    random.seed(cfg.seed)
    np.random.seed(cfg.seed)
    dev = torch.device(cfg.device)
    acc = Accelerator(mixed_precision=cfg.mixed_precision if dev.type == 'cuda' else 'no', cpu=dev.type == 'cpu')
    wd = get_dtype(acc.mixed_precision, acc.device)
    new = add_token_like_scripts(c, cfg.token, cfg.identifier)  # --initializer_token: the identifier, as ours
    c.vae.requires_grad_(False)
    c.unet.requires_grad_(False)
    if acc.mixed_precision != 'fp16':
        c.text_encoder.to(acc.device, dtype=wd)
    c.unet.to(acc.device, dtype=wd)
    c.vae.to(acc.device, dtype=wd)
    layers = script_custom_diffusion_layers(c.unet)
    if cfg.gradient_checkpointing:
        c.unet.enable_gradient_checkpointing()
        c.text_encoder.gradient_checkpointing_enable()
    if cfg.use_8bit_adam:
        import bitsandbytes as bnb

        opt_cls = bnb.optim.AdamW8bit
    else:
        opt_cls = torch.optim.AdamW
    params = itertools.chain(c.text_encoder.get_input_embeddings().parameters(), layers.parameters())
    opt = opt_cls(params, lr=cfg.train_lr, betas=(0.9, 0.999), weight_decay=1e-2, eps=1e-8)
    lat_res = cfg.resolution // 2 ** (len(c.vae.config.block_out_channels) - 1)
    ds = CustomDiffusionLikeDataset(
        inst_paths,
        class_paths,
        c.tokenizer,
        instance_prompt(cfg.class_noun, cfg.token),
        class_prompt(cfg.class_noun),
        cfg.resolution,
        lat_res,
    )
    workers = int(os.environ.get('BENCH_CD_WORKERS', '2'))  # the script's --dataloader_num_workers default: 2
    dl = torch.utils.data.DataLoader(
        ds, batch_size=1, shuffle=True, collate_fn=custom_diffusion_collate, num_workers=workers
    )
    sched = get_scheduler('constant', opt)
    layers, te, opt, dl, sched = acc.prepare(layers, c.text_encoder, opt, dl, sched)
    c.unet.train()
    te.train()
    batches, n_t = endless(dl), c.noise_scheduler.config.num_train_timesteps
    times, sync = [], (torch.cuda.synchronize if acc.device.type == 'cuda' else (lambda: None))
    for s in range(steps):
        t0 = time.perf_counter()
        batch = next(batches)
        with acc.accumulate(c.unet), acc.accumulate(te):
            latents = c.vae.encode(batch['pixel_values'].to(dtype=wd)).latent_dist.sample()
            latents = latents * c.vae.config.scaling_factor
            noise = torch.randn_like(latents)
            t = torch.randint(0, n_t, (latents.shape[0],), device=latents.device).long()
            noisy = c.noise_scheduler.add_noise(latents, noise, t)
            enc = te(batch['input_ids'])[0]
            pred = c.unet(noisy, t, enc).sample
            p, pp = torch.chunk(pred, 2, dim=0)
            tg, tgp = torch.chunk(noise, 2, dim=0)
            mask = torch.chunk(batch['mask'], 2, dim=0)[0]
            loss = F.mse_loss(p.float(), tg.float(), reduction='none')
            loss = ((loss * mask).sum([1, 2, 3]) / mask.sum([1, 2, 3])).mean()
            loss = loss + cfg.prior_loss_weight * F.mse_loss(pp.float(), tgp.float(), reduction='mean')
            acc.backward(loss)
            g = acc.unwrap_model(te).get_input_embeddings().weight.grad
            zero = torch.arange(len(c.tokenizer)) != new
            g.data[zero, :] = g.data[zero, :].fill_(0)
            if acc.sync_gradients:
                acc.clip_grad_norm_(itertools.chain(te.parameters(), layers.parameters()), cfg.max_grad_norm)
            opt.step()
            sched.step()
            opt.zero_grad(set_to_none=False)
        _ = (loss.detach().item(), sched.get_last_lr()[0])  # the script logs loss and lr every step
        sync()
        times.append(time.perf_counter() - t0)
    return times


def ours_train(c, cfg, inst_imgs, class_imgs, steps):
    from dreambooth_nb.train import train
    import dreambooth_nb.methods  # noqa: F401  (adds textual_inversion and custom_diffusion to train.METHODS)

    r = train(cfg.__class__(**{**cfg.to_dict(), 'steps': steps}), c, inst_imgs, class_imgs, progress=False)
    return r.step_seconds


def bench_train(a):
    from dreambooth_nb.config import make_config
    from dreambooth_nb.models import set_attention, channels_last

    dev = torch.device(a.device)
    base = components(a.arch, a.device)
    init = {k: v.detach().to('cpu', copy=True) for k, v in base.unet.state_dict().items()}
    import tempfile

    tmp = tempfile.TemporaryDirectory(prefix='bench-train-')
    inst, cls = image_files(tmp.name, 4, 8, a.res)
    print(
        f'instance images: {inst[0].parent}, {len(inst)} files; class images: {len(cls)} JPEGs at {a.res} px',
        flush=True,
    )
    cfg0 = make_config(
        'tiny',
        subject='dog',
        condition='ppl',
        resolution=a.res,
        device=a.device,
        mixed_precision=a.mp,
        use_8bit_adam=a.adam8,
        gradient_checkpointing=a.gc,
        lr=1e-5,
        num_class_images=8,
    )
    allv = {
        'baseline': ('baseline (diffusers-like)', baseline_train, {}),
        'basemem': ('baseline, data in memory', baseline_mem_train, {}),
        'ours': ('ours', ours_train, {}),
        'floor': ('floor: UNet fwd+bwd+opt only', floor_train, {}),
        'nolat': ('ours, no latent cache', ours_train, dict(cache_latents=False)),
        'notext': ('ours, no text cache', ours_train, dict(cache_text=False)),
        'adam8': ('ours + 8-bit Adam', ours_train, dict(use_8bit_adam=True)),
        'gc': ('ours + grad checkpointing', ours_train, dict(gradient_checkpointing=True)),
        'eager': ('ours, eager attention', ours_train, dict(_attn='eager')),
        'cl': ('ours + channels_last', ours_train, dict(_cl=True)),
        'compile': ('ours + torch.compile', ours_train, dict(_compile=True)),
        'lora': ('ours, LoRA rank 4', ours_train, dict(method='lora', lora_rank=4)),
        'ti': ('ours, Textual Inversion', ours_train, dict(method='textual_inversion', condition='no_ppl')),
        'ti_base': ('TI, diffusers-like', ti_baseline_train, dict(method='textual_inversion', condition='no_ppl')),
        'cd': ('ours, Custom Diffusion', ours_train, dict(method='custom_diffusion')),
        'cd_base': ('CD, diffusers-like', cd_baseline_train, dict(method='custom_diffusion')),
    }
    pair = {'ti': 'ti_base', 'ti_base': 'ti_base', 'cd': 'cd_base', 'cd_base': 'cd_base'}  # ratios vs own baseline
    keys = a.variants.split(',')
    unknown = [k for k in keys if k not in allv]
    if unknown:
        raise SystemExit(f'unknown variants {unknown}: choose from {list(allv)}')
    variants = {allv[k][0]: allv[k][1:] for k in keys}
    results = {k: [] for k in variants}
    for rnd in range(a.rounds):
        for name, (fn, over) in variants.items():
            c = copy.copy(base)
            c.unet.load_state_dict(init)
            if over.get('method') in ('textual_inversion', 'custom_diffusion'):
                # these add a token to the tokenizer and text encoder (and CD replaces the UNet's attention
                # processors): fresh copies of all three, made on the CPU so the shared ones are not counted twice
                base.unet.to('cpu')
                base.text_encoder.to('cpu')
                c.unet, c.text_encoder = copy.deepcopy(base.unet), copy.deepcopy(base.text_encoder)
                c.tokenizer = copy.deepcopy(base.tokenizer)
                c.text_encoder.to(dev)
            c.unet.to(dev)
            if over.get('_attn'):
                set_attention(c.unet, over['_attn'])
            else:
                set_attention(c.unet, 'sdpa')
            if over.get('_cl'):
                channels_last(c.unet)
            else:
                c.unet.to(memory_format=torch.contiguous_format)
            if over.get('_compile'):
                c.unet = torch.compile(c.unet)
            if over.get('method') == 'lora':
                c.unet = copy.deepcopy(c.unet)  # its adapters must not stay on the shared UNet
            cfg = cfg0.__class__(**{**cfg0.to_dict(), **{k: v for k, v in over.items() if not k.startswith('_')}})
            if dev.type == 'cuda':
                torch.cuda.empty_cache()
                torch.cuda.reset_peak_memory_stats()
            import gc

            gc.collect()
            if dev.type == 'cuda':
                torch.cuda.empty_cache()
                torch.cuda.reset_peak_memory_stats()
            before = rss_now()
            stop = rss_peak_tracker()
            times = fn(c, cfg, inst, cls, a.steps)
            peak = stop()
            if over.get('_compile'):
                c.unet = c.unet._orig_mod
            c.unet.to(memory_format=torch.contiguous_format)
            if cfg.gradient_checkpointing:
                c.unet.disable_gradient_checkpointing()
            gpu = torch.cuda.max_memory_allocated() / 2**30 if dev.type == 'cuda' else None
            med = statistics.median(times[a.warmup :] or times)
            results[name].append(
                dict(
                    step_s=med,
                    rss_gib=(peak - before) / 2**30,
                    gpu_gib=gpu,
                    trainable=sum(
                        p.numel() for m in (c.unet, c.text_encoder) for p in m.parameters() if p.requires_grad
                    ),
                )
            )
            print(
                f'round {rnd} {name:<28} {1 / med:8.2f} steps/s  median step {med * 1000:8.1f} ms  '
                f'first step {times[0]:6.2f} s  '
                + (f'peak GPU {gpu:6.2f} GiB' if gpu is not None else f'RSS +{(peak - before) / 2**30:5.2f} GiB')
                + (f"  steps: {' '.join(f'{x:.2f}' for x in times)} s" if len(times) <= 12 else ''),
                flush=True,
            )
            for prm in c.unet.parameters():
                prm.grad = None  # a baseline's zero_grad(set_to_none=False) leaves them
            del times, c
            gc.collect()
    print(
        f'\n== train: arch {a.arch}, {a.res}px, device {a.device} '
        f'({torch.cuda.get_device_name() if dev.type == "cuda" else "cpu"}), '
        f'mp {a.mp}, 8-bit Adam {a.adam8}, grad ckpt {a.gc}, batch 1 (+1 class image with PPL), '
        f'{a.steps} steps x {a.rounds} rounds (medians)'
    )
    default_ref = 'baseline' if 'baseline' in keys else keys[0]  # ratios vs this (the methods: vs their own)
    for key, (name, rs) in zip(keys, results.items()):
        ref = allv[pair[key] if pair.get(key) in keys else default_ref][0]
        b = statistics.median(r['step_s'] for r in results[ref])
        s = statistics.median(r['step_s'] for r in rs)
        mem = max((r['gpu_gib'] if r['gpu_gib'] is not None else r['rss_gib']) for r in rs)
        print(
            f'{name:<28} {1 / s:8.2f} steps/s  x{b / s:5.2f} vs {ref:<26}'
            f'peak {"GPU" if dev.type == "cuda" else "RSS+"} {mem:6.2f} GiB'
        )
        emit(
            a,
            dict(
                kind='train',
                variant=name,
                steps_per_s=1 / s,
                speedup=b / s,
                vs=ref,
                peak_gib=mem,
                trainable=rs[-1]['trainable'],
            ),
        )
    if 'lora' in keys:  # what each method trains and writes: trainable parameters, and the fp16 file the WebUIs load
        total = sum(p.numel() for m in (base.unet, base.vae, base.text_encoder) for p in m.parameters())
        for key, name in zip(keys, results):
            if key in pair:  # TI / CD: their files are a token's row (and the K/V copies), not counted here
                continue
            t = results[name][-1]['trainable']
            lora = 'LoRA' in name
            print(
                f'{name:<28} trainable {t / 1e6:10.3f} M parameters; '
                f'fp16 file {2 * (t if lora else total) / 1e6:9.1f} MB '
                f'({"the adapters" if lora else "UNet + VAE + text encoder, single file"})'
            )
            emit(a, dict(kind='method_size', variant=name, trainable=t, fp16_mb=2 * (t if lora else total) / 1e6))


def bench_prior(a):
    "Class-image generation: reference (PNDM 50 steps, batch 4) vs ours (DPM-Solver++ multistep); a quality guard."
    from dreambooth_nb.models import load_pipeline, set_scheduler, load_components
    from dreambooth_nb.core import get_dtype, TOY_DIR

    dev = torch.device(a.device)
    dtype = get_dtype(a.mp, dev)
    if a.arch == 'toy':
        c = load_components(TOY_DIR / 'sd', dtype=dtype, device=dev)
        classes = ['backpack', 'cat', 'clock', 'dog', 'teapot', 'vase']
    else:
        c = components(a.arch, a.device)
        classes = ['dog']
        for m in (c.unet, c.vae, c.text_encoder):
            m.to(dev, dtype)
    prompts = [f'a {classes[i % len(classes)]}' for i in range(a.n)]
    pipe = load_pipeline(None, components=c, device=dev)
    settings = [('reference: pndm 50 steps, batch 4', 'pndm', 50, 4)] + [
        (f'ours: dpm {s} steps, batch {b}', 'dpm', s, b) for s, b in a.ours
    ]
    out, imgs = {}, {}
    for rnd in range(a.rounds):
        for name, sched, steps, bs in settings:
            set_scheduler(pipe, sched)
            pipe(prompts[:bs], num_inference_steps=2, height=a.res, width=a.res)  # warm-up
            if dev.type == 'cuda':
                torch.cuda.synchronize()
            t0, ims = time.perf_counter(), []
            for k in range(0, a.n, bs):
                gens = [torch.Generator(dev).manual_seed(i) for i in range(k, min(k + bs, a.n))]
                ims += pipe(
                    prompts[k : k + len(gens)], num_inference_steps=steps, height=a.res, width=a.res, generator=gens
                ).images
            if dev.type == 'cuda':
                torch.cuda.synchronize()
            rate = a.n / (time.perf_counter() - t0)
            out.setdefault(name, []).append(rate)
            imgs[name] = ims
            print(f'round {rnd} {name:<36} {rate:7.2f} images/s', flush=True)
    ref_name = settings[0][0]
    ref = statistics.median(out[ref_name])
    print(
        f'\n== prior generation: arch {a.arch}, {a.res}px, {a.device}, dtype {dtype}, {a.n} images, '
        f'medians of {a.rounds}'
    )
    q = {}
    if a.quality:
        from dreambooth_nb.encoders import load_encoders

        enc = load_encoders('toy' if a.arch == 'toy' else 'tiny')
        rd, rc = enc.dino(imgs[ref_name]), enc.clip_image(imgs[ref_name])
        for name, ims in imgs.items():
            d, cl = enc.dino(ims), enc.clip_image(ims)
            q[name] = dict(paired_dino=(d * rd).sum(-1).mean().item(), paired_clip=(cl * rc).sum(-1).mean().item())
            if hasattr(enc, 'judge'):
                q[name]['class_acc'] = statistics.mean(
                    j['class'] == p.split(' ', 1)[1] for j, p in zip(enc.judge(ims), prompts)
                )
    for name, rs in out.items():
        r = statistics.median(rs)
        extra = '  ' + '  '.join(f'{k} {v:.3f}' for k, v in q.get(name, {}).items())
        print(f'{name:<36} {r:7.2f} images/s  x{r / ref:5.2f}{extra}')
        emit(a, dict(kind='prior', variant=name, images_per_s=r, speedup=r / ref, **q.get(name, {})))


def bench_eval(a):
    """Evaluation of one run on the toy world, as the run notebook does it: sample the protocol (`sample_run`: the
    prompts x images per prompt + the PRES images, fixed-slice batches, DPM-Solver++) with the base toy model, then
    embed and score it (`evaluate_run`: DINO, CLIP-I, CLIP-T, PRES, DIV, real-image ceilings) with the toy encoders
    loaded once."""
    import shutil, tempfile
    from dreambooth_nb.core import TOY_DIR
    from dreambooth_nb.models import load_pipeline
    from dreambooth_nb.sample import sample_run
    from dreambooth_nb.metrics import evaluate_run
    from dreambooth_nb.encoders import load_encoders

    tmp = Path(tempfile.mkdtemp(prefix='bench-eval-'))
    from dreambooth_nb.runner import resolve_run

    cfg = resolve_run(a.subject, 'ppl', 'toy', out_dir=tmp, settings=dict(device=a.device))
    cfg.save(cfg.run_dir / 'config.json')
    pipe, enc = load_pipeline(TOY_DIR / 'sd', device=a.device), load_encoders('toy')
    rates = {'sampling': [], 'embedding + metrics': []}
    for rnd in range(a.rounds):
        shutil.rmtree(cfg.run_dir / 'samples', ignore_errors=True)
        t0 = time.perf_counter()
        rows = sample_run(pipe, cfg, cfg.run_dir, data_dir=cfg.data_dir, progress=False)
        t1 = time.perf_counter()
        evaluate_run(cfg.run_dir, enc, cache=False, verbose=False)
        t2 = time.perf_counter()
        rates['sampling'].append(len(rows) / (t1 - t0))
        rates['embedding + metrics'].append(len(rows) / (t2 - t1))
        print(
            f'round {rnd}: {len(rows)} images ({cfg.sample_scheduler} {cfg.sample_steps} steps, '
            f'batch {cfg.sample_batch_size}, '
            f'{cfg.resolution} px): sampling {t1 - t0:.1f} s, embedding + metrics {t2 - t1:.1f} s',
            flush=True,
        )
    print(f'\n== evaluation: toy world, subject {a.subject}, {a.device}, medians of {a.rounds}')
    for k, v in rates.items():
        print(f'{k:<22} {statistics.median(v):8.1f} images/s')
        emit(a, dict(kind='eval', variant=k, images_per_s=statistics.median(v)))
    shutil.rmtree(tmp, ignore_errors=True)


def bench_flops(a):
    """FLOPs of one PPL step (batch 1 instance + 1 class) by component, counted by torch's FlopCounterMode on the meta
    device (no weights, no compute: exact counts for the architecture, any resolution, in seconds on a laptop), and the
    ceiling they put on any loop that removes the VAE and text encoder from the step: (baseline FLOPs) / (UNet
    FLOPs)."""
    from torch.utils.flop_counter import FlopCounterMode
    from diffusers import UNet2DConditionModel, AutoencoderKL
    from transformers import CLIPTextModel, CLIPTextConfig
    from dreambooth_nb.models import tiny_sd_configs, sd15_configs

    cf = tiny_sd_configs() if a.arch == 'tiny' else sd15_configs()
    with torch.device('meta'):
        unet, vae, te = (
            UNet2DConditionModel(**cf.unet),
            AutoencoderKL(**cf.vae),
            CLIPTextModel(CLIPTextConfig(**cf.text)),
        )
        lat = a.res // 2 ** (len(vae.config.block_out_channels) - 1)
        px, ids = torch.randn(2, 3, a.res, a.res), torch.zeros(2, 77, dtype=torch.long)
        x, t, e = (
            torch.randn(2, unet.config.in_channels, lat, lat),
            torch.tensor([10, 500]),
            torch.randn(2, 77, unet.config.cross_attention_dim),
        )

    def count(fn):
        with FlopCounterMode(display=False) as fc:
            fn()
        return fc.get_total_flops() / 1e12

    with torch.no_grad():
        f_vae, f_te = count(lambda: vae.encode(px).latent_dist.mean), count(lambda: te(ids)[0])
    f_fwd, f_fb = (
        count(lambda: unet(x, t, e).sample),
        count(lambda: unet(x, t, e).sample.float().pow(2).mean().backward()),
    )
    print(
        f'== FLOPs per PPL step, arch {a.arch}, {a.res}px (batch 2): VAE encode {f_vae:.4g} TFLOP, '
        f'text encoder {f_te:.4g}, '
        f'UNet forward {f_fwd:.4g}, UNet forward + backward {f_fb:.4g}'
    )
    for name, u in (('no checkpointing', f_fb), ('gradient checkpointing (+1 forward)', f_fb + f_fwd)):
        print(
            f'{name:<36} baseline {u + f_vae + f_te:.4g} TFLOP, UNet only {u:.4g}: '
            f'ceiling x{(u + f_vae + f_te) / u:.2f}'
        )
        emit(
            a,
            dict(
                kind='flops',
                variant=name,
                vae_tflop=f_vae,
                text_tflop=f_te,
                unet_tflop=u,
                ceiling=(u + f_vae + f_te) / u,
            ),
        )
    # What autograd keeps for the backward pass with gradient checkpointing, fp16 activations (the block inputs and
    # whatever runs outside the checkpointed blocks). Without checkpointing the meta device's SDPA is the math path,
    # which saves the full attention matrix that CUDA's flash kernel does not: that count would mislead, so it is not
    # made.
    with torch.device('meta'):
        unet16 = UNet2DConditionModel(**cf.unet).to(torch.float16)
    unet16.train()
    unet16.enable_gradient_checkpointing()
    params, saved = {id(p) for p in unet16.parameters()}, {}

    def pack(tn):
        if id(tn) not in params:
            saved[id(tn)] = tn.numel() * tn.element_size()
        return tn

    with torch.autograd.graph.saved_tensors_hooks(pack, lambda tn: tn):
        unet16(x.half(), t, e.half())
    n = sum(p.numel() for p in unet16.parameters())
    print(
        f'memory-saving setting: UNet {n / 1e6:.1f} M params: fp32 weights {4 * n / 2**30:.2f} GiB + '
        f'fp32 grads {4 * n / 2**30:.2f} GiB + AdamW8bit state ~{2 * n / 2**30:.2f} GiB; '
        f'activations kept for backward with checkpointing {sum(saved.values()) / 2**30:.2f} GiB '
        f'(plus one block recomputed at a time, and autocast\'s fp16 weight copies, {2 * n / 2**30:.2f} GiB, '
        f'during the forward)'
    )


def emit(a, d):
    d = dict(
        d,
        arch=a.arch,
        res=a.res,
        device=a.device,
        mp=a.mp,
        gpu=torch.cuda.get_device_name() if torch.cuda.is_available() and a.device == 'cuda' else None,
        date=time.strftime('%Y-%m-%d'),
    )
    if a.jsonl:
        with open(a.jsonl, 'a') as f:
            f.write(json.dumps(d) + '\n')


if __name__ == '__main__':
    ap = argparse.ArgumentParser()
    ap.add_argument('what', choices=['train', 'prior', 'eval', 'flops'])
    ap.add_argument('--subject', default='orange_dog', help='toy subject (eval)')
    ap.add_argument('--arch', default='tiny', choices=['tiny', 'sd15', 'toy'])
    ap.add_argument('--res', type=int, default=64)
    ap.add_argument('--device', default='cpu')
    ap.add_argument('--mp', default='no')
    ap.add_argument('--adam8', action='store_true')
    ap.add_argument('--gc', action='store_true')
    ap.add_argument(
        '--variants',
        default='baseline,ours',
        help='comma list: baseline,basemem,ours,floor,nolat,notext,adam8,gc,eager,cl,compile,lora,'
        'ti,ti_base,cd,cd_base',
    )
    ap.add_argument('--steps', type=int, default=30)
    ap.add_argument('--warmup', type=int, default=3)
    ap.add_argument('--rounds', type=int, default=2)
    ap.add_argument('--n', type=int, default=16)
    ap.add_argument(
        '--quality', action='store_true', help='compare images with the reference by DINO/CLIP (and the toy judge)'
    )
    ap.add_argument('--ours', default='25x8,20x16', help='dpm settings STEPSxBATCH,...')
    ap.add_argument('--jsonl', default=None)
    a = ap.parse_args()
    a.ours = [tuple(map(int, s.split('x'))) for s in a.ours.split(',')]
    torch.manual_seed(0)
    {'train': bench_train, 'prior': bench_prior, 'eval': bench_eval, 'flops': bench_flops}[a.what](a)
