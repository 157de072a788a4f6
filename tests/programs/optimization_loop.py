"""The official "Optimizing Model Parameters" tutorial's train_loop/test_loop, then saving and
loading the weights (synthetic 8x8 images in place of a download)."""
import os
import tempfile

import torch
from torch import nn
from torch.utils.data import DataLoader, Dataset


class BlobDigits(Dataset):
    """Each image is a bright 2x2 blob whose position (one of 9) is the label."""

    def __init__(self, n, generator):
        self.labels = torch.randint(0, 9, (n,), generator=generator)
        self.images = 0.1 * torch.rand(n, 8, 8, generator=generator)
        for i, lab in enumerate(self.labels.tolist()):
            r, c = 1 + 2 * (lab // 3), 1 + 2 * (lab % 3)
            self.images[i, r:r + 2, c:c + 2] += 0.9

    def __len__(self):
        return len(self.labels)

    def __getitem__(self, idx):
        return self.images[idx], self.labels[idx]


g = torch.Generator().manual_seed(42)
training_data, test_data = BlobDigits(120, g), BlobDigits(40, g)


class NeuralNetwork(nn.Module):
    def __init__(self):
        super().__init__()
        self.flatten = nn.Flatten()
        self.linear_relu_stack = nn.Sequential(
            nn.Linear(8 * 8, 32), nn.ReLU(), nn.Linear(32, 32), nn.ReLU(), nn.Linear(32, 9))

    def forward(self, x):
        return self.linear_relu_stack(self.flatten(x))


torch.manual_seed(3)
model = NeuralNetwork()
learning_rate = 5e-2
batch_size = 20
epochs = 4
train_dataloader = DataLoader(training_data, batch_size=batch_size, shuffle=True)
test_dataloader = DataLoader(test_data, batch_size=batch_size)
loss_fn = nn.CrossEntropyLoss()
optimizer = torch.optim.SGD(model.parameters(), lr=learning_rate, momentum=0.9)


def train_loop(dataloader, model, loss_fn, optimizer):
    size = len(dataloader.dataset)
    model.train()       # good practice, though this model has no dropout or batch-norm
    for batch, (X, y) in enumerate(dataloader):
        pred = model(X)
        loss = loss_fn(pred, y)
        loss.backward()
        optimizer.step()
        optimizer.zero_grad()
        if batch % 3 == 0:
            loss, current = loss.item(), batch * batch_size + len(X)
            print(f"loss: {loss:>7.4f}  [{current:>5d}/{size:>5d}]")


def test_loop(dataloader, model, loss_fn):
    model.eval()
    size = len(dataloader.dataset)
    num_batches = len(dataloader)
    test_loss, correct = 0, 0
    with torch.no_grad():
        for X, y in dataloader:
            pred = model(X)
            test_loss += loss_fn(pred, y).item()
            correct += (pred.argmax(1) == y).type(torch.float).sum().item()
    test_loss /= num_batches
    correct /= size
    print(f"Test Error: \n Accuracy: {(100 * correct):>0.1f}%, Avg loss: {test_loss:>8.4f} \n")
    return correct


for t in range(epochs):
    print(f"Epoch {t + 1}\n-------------------------------")
    train_loop(train_dataloader, model, loss_fn, optimizer)
    acc = test_loop(test_dataloader, model, loss_fn)
print("Done!")

with tempfile.TemporaryDirectory() as d:
    path = os.path.join(d, "model_weights.pth")
    torch.save(model.state_dict(), path)
    model2 = NeuralNetwork()
    model2.load_state_dict(torch.load(path, weights_only=True))
    model2.eval()
    print(list(model2.state_dict()), test_loop(test_dataloader, model2, loss_fn) == acc)
    torch.save(optimizer.state_dict(), path)
    state = torch.load(path)
    print(sorted(state), state["param_groups"][0]["lr"], len(state["state"]))
