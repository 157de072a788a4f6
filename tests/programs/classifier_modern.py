"""A classifier in the style of newer official examples: torch.accelerator, DataLoader, AMP
scaler, StepLR, checkpoint round-trip, eval with torch.max accuracy."""
import os
import tempfile

import torch
import torch.nn as nn
from torch.optim.lr_scheduler import StepLR
from torch.utils.data import DataLoader, TensorDataset

torch.manual_seed(42)
if torch.accelerator.is_available():
    device = torch.accelerator.current_accelerator()
else:
    device = torch.device("cpu")
torch.backends.cudnn.benchmark = True

# two Gaussian blobs per class, three classes
centers = torch.tensor([[2.0, 0.0], [-2.0, 1.0], [0.0, -2.5]])
labels = torch.arange(3).repeat_interleave(40)
points = centers[labels] + 0.7 * torch.randn(120, 2)
train = TensorDataset(points[:96], labels[:96])
test = TensorDataset(points[96:], labels[96:])
train_loader = DataLoader(train, batch_size=16, shuffle=True)
test_loader = DataLoader(test, batch_size=32)

model = nn.Sequential(nn.Linear(2, 16), nn.ReLU(), nn.Linear(16, 3)).to(device)
optimizer = torch.optim.Adam(model.parameters(), lr=0.02)
scheduler = StepLR(optimizer, step_size=2, gamma=0.5)
criterion = nn.CrossEntropyLoss()
use_amp = device.type == "cuda"
scaler = torch.amp.GradScaler("cpu")

for epoch in range(1, 5):
    model.train()
    total = 0.0
    for x, y in train_loader:
        x, y = x.to(device), y.to(device)
        optimizer.zero_grad()
        with torch.autocast(device_type=device.type, enabled=use_amp):
            loss = criterion(model(x), y)
        scaler.scale(loss).backward()
        scaler.step(optimizer)
        scaler.update()
        total += loss.item() * x.size(0)
    scheduler.step()
    print(f"epoch {epoch} loss {total / len(train):.4f} lr {scheduler.get_last_lr()[0]:.4f}")

model.eval()
correct = 0
with torch.no_grad():
    for x, y in test_loader:
        _, predicted = torch.max(model(x), dim=1)
        correct += (predicted == y).sum().item()
print(f"test accuracy {correct}/{len(test)}")

with tempfile.TemporaryDirectory() as d:
    path = os.path.join(d, "model.pt")
    torch.save({"model": model.state_dict(), "epoch": 4}, path)
    ckpt = torch.load(path, weights_only=True)
    clone = nn.Sequential(nn.Linear(2, 16), nn.ReLU(), nn.Linear(16, 3))
    clone.load_state_dict(ckpt["model"])
    print(ckpt["epoch"], torch.equal(clone(points[:5]), model(points[:5])), list(ckpt["model"]))
