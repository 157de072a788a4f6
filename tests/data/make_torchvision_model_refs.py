"""Write tests/data/torchvision_model_refs.npz from real torchvision 0.28 models (run once, by
hand; CI only reads the file). Unpack the wheel as make_torchvision_refs.py explains, then

    PYTHONPATH=/tmp/tv/site python tests/data/make_torchvision_model_refs.py

Stores, per architecture (num_classes=10): the state_dict keys and shapes in order and, for the
forward cases, the eval-mode output on a fixed 1x3x64x64 input with the weights that
vision_model_weights.fill gives (so no weights are committed)."""

import json
import os
import sys
import types
import warnings

sys.modules["torchvision._meta_registrations"] = types.ModuleType("_meta_registrations")
warnings.filterwarnings("ignore")

import numpy as np  # noqa: E402
import torch  # noqa: E402
import torchvision  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
from vision_model_weights import fill  # noqa: E402

STRUCTURE = ["resnet18", "resnet34", "resnet50", "vgg11", "vgg11_bn", "vgg16", "vgg16_bn",
             "alexnet", "squeezenet1_0", "squeezenet1_1", "mobilenet_v2"]
FORWARD = ["resnet18", "resnet50", "alexnet", "squeezenet1_0", "squeezenet1_1", "mobilenet_v2"]


def main() -> None:
    x = np.random.default_rng(0).standard_normal((1, 3, 64, 64)).astype(np.float32)
    arrays = {"input": x}
    meta = {"torchvision": torchvision.__version__, "torch": torch.__version__, "keys": {}}
    for name in STRUCTURE:
        model = torchvision.models.get_model(name, weights=None, num_classes=10).eval()
        sd = model.state_dict()
        meta["keys"][name] = [[k, list(v.shape)] for k, v in sd.items()]
        if name in FORWARD:
            w = fill([(k, v.shape) for k, v in sd.items()])
            model.load_state_dict({k: torch.from_numpy(v) for k, v in w.items()})
            with torch.no_grad():
                arrays[f"out/{name}"] = model(torch.from_numpy(x)).numpy()
    arrays["meta"] = np.array(json.dumps(meta))
    out = os.path.join(HERE, "torchvision_model_refs.npz")
    np.savez_compressed(out, **arrays)
    print(f"wrote {out} ({os.path.getsize(out)} bytes)")


if __name__ == "__main__":
    main()
