"""GenLab's VAE networks in PyTorch, built from the options JSON that GenLab writes.

The modules mirror core/labs/latent/vae_model.cpp layer for layer and use the
same parameter names, so a state dict maps one to one:

  mlp:  fc1 Linear(H*W, hidden), fc2 Linear(hidden, 2*latent) -> [mu | logvar],
        fc3 Linear(latent, hidden), fc4 Linear(hidden, H*W); ReLU; Bernoulli logits.
  conv: c1 Conv2d(1, 32, 4, s2, p1), c2 Conv2d(32, 64, 4, s2, p1),
        enc_fc Linear(64*H/4*W/4, hidden), enc_head Linear(hidden, 2*latent),
        dec_fc1 Linear(latent, hidden), dec_fc2 Linear(hidden, 64*H/4*W/4),
        d1 ConvTranspose2d(64, 32, 4, s2, p1), d2 ConvTranspose2d(32, 1, 4, s2, p1).

The loss is GenLab's: BCE-with-logits summed over pixels and images, plus
beta times the KL to N(0, I) summed over latent dimensions and images.

Scripted with torch.jit.script, a module meets the contract of GenLab's
File > Open model... (docs/scale.md):
  decode(z [N, latent]) -> Bernoulli probabilities in [0, 1], [N, 1, H, W]
  encode(x [N, 1, H, W] or [N, H*W], in [0, 1]) -> (mean, logvar), each [N, latent]
  forward = decode
"""
import json
import os
import tempfile
from typing import Tuple

import torch
import torch.nn.functional as F
from torch import Tensor, nn

# The keys and defaults of VaeOptions::toJson() (core/labs/latent/vae_options.cpp).
OPTION_DEFAULTS = {
    "data": "mnist",
    "architecture": "mlp",
    "latent_dim": 2,
    "hidden": 400,
    "beta": 1.0,
    "kl_warmup_epochs": 0,
    "lr": 1e-3,
    "batch": 128,
    "epochs": 10,
    "seed": 1,
    "threads": 0,
    "max_train_images": 0,
}


def load_options(path):
    """Reads a VaeOptions JSON file; missing keys take GenLab's defaults,
    unknown keys are refused (a typo would otherwise be silently ignored)."""
    with open(path) as f:
        given = json.load(f)
    if not isinstance(given, dict):
        raise ValueError(f"{path}: expected one JSON object of VAE options")
    unknown = sorted(set(given) - set(OPTION_DEFAULTS))
    if unknown:
        raise ValueError(f"{path}: unknown option(s) {', '.join(unknown)}; "
                         f"known: {', '.join(OPTION_DEFAULTS)}")
    o = dict(OPTION_DEFAULTS)
    o.update(given)
    validate_options(o)
    return o


def validate_options(o):
    """The same bounds as VaeOptions::validate()."""
    def need(ok, msg):
        if not ok:
            raise ValueError(msg)
    need(o["architecture"] in ("mlp", "conv"),
         f"architecture must be 'mlp' or 'conv', not '{o['architecture']}'")
    need(1 <= o["latent_dim"] <= 512, "latent dimension must be between 1 and 512")
    need(1 <= o["hidden"] <= 8192, "hidden units must be between 1 and 8192")
    need(0 <= o["beta"] <= 1000, "beta must be between 0 and 1000")
    need(o["kl_warmup_epochs"] >= 0, "KL warm-up epochs must not be negative")
    need(0 < o["lr"] < 10, "learning rate must be in (0, 10)")
    need(1 <= o["batch"] <= 65536, "batch size must be between 1 and 65536")
    need(0 <= o["epochs"] <= 100000, "epochs must be between 0 and 100000")
    need(0 <= o["threads"] <= 1024, "threads must be between 0 and 1024")
    need(o["max_train_images"] >= 0, "max train images must not be negative")


class MlpVae(nn.Module):
    def __init__(self, height: int, width: int, hidden: int, latent: int):
        super().__init__()
        dim = height * width
        self.height = height
        self.width = width
        self.latent = latent
        self.fc1 = nn.Linear(dim, hidden)
        self.fc2 = nn.Linear(hidden, 2 * latent)  # [mu | logvar], GenLab's fused head
        self.fc3 = nn.Linear(latent, hidden)
        self.fc4 = nn.Linear(hidden, dim)

    def encode_stats(self, x: Tensor) -> Tensor:
        return self.fc2(F.relu(self.fc1(x.reshape(x.shape[0], -1))))

    def decode_logits(self, z: Tensor) -> Tensor:
        return self.fc4(F.relu(self.fc3(z)))  # [N, H*W]

    @torch.jit.export
    def encode(self, x: Tensor) -> Tuple[Tensor, Tensor]:
        s = self.encode_stats(x)
        return s[:, :self.latent], s[:, self.latent:]

    @torch.jit.export
    def decode(self, z: Tensor) -> Tensor:
        return torch.sigmoid(self.decode_logits(z)).view(-1, 1, self.height, self.width)

    def forward(self, z: Tensor) -> Tensor:
        return self.decode(z)


class ConvVae(nn.Module):
    def __init__(self, height: int, width: int, hidden: int, latent: int):
        super().__init__()
        if height % 4 or width % 4 or height < 4 or width < 4:
            raise ValueError("the convolutional VAE needs image sides divisible by 4 "
                             f"(got {height}x{width})")
        flat = 64 * (height // 4) * (width // 4)
        self.height = height
        self.width = width
        self.latent = latent
        self.c1 = nn.Conv2d(1, 32, 4, stride=2, padding=1)
        self.c2 = nn.Conv2d(32, 64, 4, stride=2, padding=1)
        self.enc_fc = nn.Linear(flat, hidden)
        self.enc_head = nn.Linear(hidden, 2 * latent)
        self.dec_fc1 = nn.Linear(latent, hidden)
        self.dec_fc2 = nn.Linear(hidden, flat)
        self.d1 = nn.ConvTranspose2d(64, 32, 4, stride=2, padding=1)
        self.d2 = nn.ConvTranspose2d(32, 1, 4, stride=2, padding=1)

    def encode_stats(self, x: Tensor) -> Tensor:
        h = x.reshape(-1, 1, self.height, self.width)
        h = F.relu(self.c1(h))
        h = F.relu(self.c2(h))
        h = F.relu(self.enc_fc(h.flatten(1)))
        return self.enc_head(h)

    def decode_logits(self, z: Tensor) -> Tensor:
        h = F.relu(self.dec_fc1(z))
        h = F.relu(self.dec_fc2(h)).view(-1, 64, self.height // 4, self.width // 4)
        h = F.relu(self.d1(h))
        return self.d2(h).flatten(1)  # [N, H*W]

    @torch.jit.export
    def encode(self, x: Tensor) -> Tuple[Tensor, Tensor]:
        s = self.encode_stats(x)
        return s[:, :self.latent], s[:, self.latent:]

    @torch.jit.export
    def decode(self, z: Tensor) -> Tensor:
        return torch.sigmoid(self.decode_logits(z)).view(-1, 1, self.height, self.width)

    def forward(self, z: Tensor) -> Tensor:
        return self.decode(z)


def build(options, height=28, width=28):
    """The network GenLab builds for these options (initialised from torch's
    global generator, as GenLab's is from its seed)."""
    cls = ConvVae if options["architecture"] == "conv" else MlpVae
    return cls(height, width, options["hidden"], options["latent_dim"])


class VaeLoss(nn.Module):
    """One training step's forward: (summed BCE, summed KL) for images x with
    reparameterisation noise eps. DistributedDataParallel wraps this, so its
    gradient hooks see the whole step."""

    def __init__(self, net):
        super().__init__()
        self.net = net

    def forward(self, x: Tensor, eps: Tensor) -> Tuple[Tensor, Tensor]:
        stats = self.net.encode_stats(x)
        d = stats.shape[1] // 2
        mu, logvar = stats[:, :d], stats[:, d:]
        z = torch.addcmul(mu, (0.5 * logvar).exp(), eps)
        recon = F.binary_cross_entropy_with_logits(self.net.decode_logits(z), x.reshape(x.shape[0], -1),
                                                   reduction="sum")
        kl = (0.5 * (mu.pow(2) + logvar.exp() - 1 - logvar)).sum()
        return recon, kl


def _atomic_write(path, write):
    """write(tmp_path) into a temporary file in path's folder, then rename it
    over path: a reader sees the old file or the new one, never half of one."""
    folder = os.path.dirname(os.path.abspath(path))
    fd, tmp = tempfile.mkstemp(dir=folder, prefix="." + os.path.basename(path) + ".", suffix=".tmp")
    os.close(fd)
    try:
        write(tmp)
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(tmp, 0o666 & ~umask)  # mkstemp makes 0600; give the usual mode
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise


def save_for_genlab(net, options, path):
    """Writes PATH (TorchScript: encode, decode, forward = decode) and
    PATH.options.json (GenLab's VaeOptions JSON), each atomically; the options
    land first, so whoever sees the model also sees its options. The options
    are also stored inside the TorchScript archive as extra file
    'genlab_options.json'."""
    text = json.dumps({k: options[k] for k in OPTION_DEFAULTS})
    scripted = torch.jit.script(net.cpu().eval())

    def write_options(tmp):
        with open(tmp, "w") as f:
            f.write(text + "\n")

    _atomic_write(path + ".options.json", write_options)
    _atomic_write(path, lambda tmp: torch.jit.save(scripted, tmp,
                                                   _extra_files={"genlab_options.json": text}))
