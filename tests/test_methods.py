"""Textual Inversion and Custom Diffusion through the command line on the tiny preset: the files each method saves,
loaded onto the base pipeline (the run's images again), and the WebUI export of each."""

import json
from PIL import Image
from conftest import cli, tiny_run
from test_lora import _same_image


def _run(out, data_dir, method, condition, lr):
    rate = f"{'ti' if method == 'textual_inversion' else 'cd'}_lr={lr}"
    tiny_run('dog', data_dir, out, f'method={method}', rate, 'steps=6', condition=condition)
    return out / 'dog' / condition


def _base_pipeline(run):
    from diffusers import StableDiffusionPipeline
    from dreambooth_nb.models import set_scheduler

    cfg = json.loads((run / 'config.json').read_text())
    pipe = StableDiffusionPipeline.from_pretrained(cfg['model'], safety_checker=None)
    pipe.set_progress_bar_config(disable=True)
    set_scheduler(pipe, cfg['sample_scheduler'])
    return pipe, cfg


def _same_samples(pipe, cfg, run, rows=(0, -1)) -> list:
    "Whether `pipe` gives the run's saved images again: by default an evaluation image and a PRES image."
    from dreambooth_nb.sample import read_samples, sample_images

    out = []
    for row in read_samples(run).iloc[list(rows)].itertuples():
        again = sample_images(
            pipe, [row.prompt], [int(row.seed)], cfg['sample_steps'], cfg['sample_guidance'], cfg['resolution']
        )[0]
        out.append(_same_image(again, Image.open(run / row.path).convert('RGB')))
    return out


def test_textual_inversion_run_loads_and_exports(data_dir, tmp_path):
    run = _run(tmp_path / 'ti', data_dir, 'textual_inversion', 'no_ppl', 0.05)
    model = run / 'model'
    kept = ['README.md', 'grid.png', 'learned_embeds.safetensors', 'train_info.json']  # the card and its grid too
    assert sorted(p.name for p in model.iterdir()) == kept
    assert 'a <sks> dog' in (run / 'samples.csv').read_text()  # the new token in place of the identifier
    pipe, cfg = _base_pipeline(run)
    pipe.load_textual_inversion(model, weight_name='learned_embeds.safetensors')  # diffusers' own loader
    assert _same_samples(pipe, cfg, run) == [True, True]
    r = cli('export', '--run', run)
    assert r.returncode == 0 and 'dog_no_ppl_ti.safetensors' in r.stdout, r.stderr[-2000:]
    from safetensors.torch import load_file

    emb = load_file(str(run / 'dog_no_ppl_ti.safetensors'))
    assert list(emb) == ['emb_params'] and emb['emb_params'].shape[0] == 1


def test_custom_diffusion_run_loads(data_dir, tmp_path):
    run = _run(tmp_path / 'cd', data_dir, 'custom_diffusion', 'ppl', 0.01)
    model = run / 'model'
    weights = model / 'pytorch_custom_diffusion_weights.safetensors'
    assert weights.exists() and (model / 'learned_embeds.safetensors').exists() and not (model / 'unet').exists()
    pipe, cfg = _base_pipeline(run)
    pipe.load_textual_inversion(model, weight_name='learned_embeds.safetensors')
    assert _same_samples(pipe, cfg, run, rows=[0]) == [False]  # the token alone is not the run: its K/V are missing
    from dreambooth_nb.methods import load_custom_diffusion

    load_custom_diffusion(pipe.unet, weights)  # diffusers' unet.load_attn_procs sets nothing (08_methods)
    assert _same_samples(pipe, cfg, run) == [True, True]
    r = cli('export', '--run', run)
    assert r.returncode == 2 and 'no Custom Diffusion weights' in r.stderr and r.stderr.count('\n') == 1, r.stderr
