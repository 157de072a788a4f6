"""Write tests/data/torchvision_refs.npz from real torchvision (run once, by hand; CI only reads
the file). torchvision cannot be installed next to the CPU torch, so unpack its wheel instead:

    pip download --no-deps torchvision==0.28.0 -d /tmp/tv
    python -m zipfile -e /tmp/tv/torchvision-0.28.0-*.whl /tmp/tv/site
    PYTHONPATH=/tmp/tv/site python tests/data/make_torchvision_refs.py

Only torchvision's Python code runs (its compiled ops are not loaded; the transforms, make_grid
and save_image do not need them)."""

import json
import os
import sys
import types
import warnings

# the wheel's compiled ops need a matching CUDA build of torch; skip registering their kernels
sys.modules["torchvision._meta_registrations"] = types.ModuleType("_meta_registrations")
warnings.filterwarnings("ignore")

import numpy as np  # noqa: E402
import torch  # noqa: E402
import torchvision  # noqa: E402

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
from vision_ref_cases import CASES, make_inputs, run  # noqa: E402


def main() -> None:
    x = make_inputs()
    arrays = {f"input/{k}": v for k, v in x.items()}
    meta = {"torchvision": torchvision.__version__, "torch": torch.__version__, "cases": {}}
    for name in CASES:
        desc, outs = run(name, torchvision, torch, x)
        meta["cases"][name] = desc
        for i, a in enumerate(outs):
            arrays[f"{name}/{i}"] = a
    arrays["meta"] = np.array(json.dumps(meta))
    out = os.path.join(os.path.dirname(os.path.abspath(__file__)), "torchvision_refs.npz")
    np.savez_compressed(out, **arrays)
    print(f"wrote {len(meta['cases'])} cases to {out} ({os.path.getsize(out)} bytes)")


if __name__ == "__main__":
    main()
